package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.btf.Btf;

/**
 * The kernel struct offsets the REJECT and LOG reports read, from vmlinux BTF: the packet's mark,
 * MAC header and socket owner (what the kernel's LOG line shows), and its checksum state (whether
 * the kernel's REJECT would verify the checksum before replying), and the cookie of a packet's
 * socket (which of them the umh's REJECT replies leave from: {@link ReplyConntrack}).
 */
public record TargetLayout(
    int stateIn,
    int skbMark,
    int skbHead,
    int skbMacHeader,
    int skbNetworkHeader,
    int skbDev,
    int skbSk,
    int devHardHeaderLen,
    int devType,
    int skState,
    int skSocket,
    int socketFile,
    int fileCred,
    int credFsuid,
    int credFsgid,
    int skbIpSummedBit,
    int skbCsumValidBit,
    int skCookie,
    int sock,
    int rdonlyCast) {

  /** Reads the offsets; a missing one is an error naming it. */
  public static TargetLayout from(Btf btf) throws Refusal {
    return new TargetLayout(
        KernelLayout.member(btf, "nf_hook_state", "in"),
        KernelLayout.member(btf, "sk_buff", "mark"),
        KernelLayout.member(btf, "sk_buff", "head"),
        KernelLayout.member(btf, "sk_buff", "mac_header"),
        KernelLayout.member(btf, "sk_buff", "network_header"),
        KernelLayout.member(btf, "sk_buff", "dev"),
        KernelLayout.member(btf, "sk_buff", "sk"),
        KernelLayout.member(btf, "net_device", "hard_header_len"),
        KernelLayout.member(btf, "net_device", "type"),
        KernelLayout.member(
            btf, "sock_common", "skc_state"), // struct sock begins with its sock_common
        KernelLayout.member(btf, "sock", "sk_socket"),
        KernelLayout.member(btf, "socket", "file"),
        KernelLayout.member(btf, "file", "f_cred"),
        KernelLayout.member(btf, "cred", "fsuid"),
        KernelLayout.member(btf, "cred", "fsgid"),
        bit(btf, "ip_summed", 2),
        bit(btf, "csum_valid", 1),
        KernelLayout.member(btf, "sock_common", "skc_cookie"), // an atomic64_t's counter
        btf.structId("sock").orElseThrow(() -> new Refusal("kernel BTF has no struct sock")),
        KernelLayout.func(btf, "bpf_rdonly_cast"));
  }

  /** The bit offset of a bitfield of sk_buff that lies within one byte. */
  private static int bit(Btf btf, String member, int bits) throws Refusal {
    Btf.Member m =
        btf.member("sk_buff", member)
            .orElseThrow(() -> new Refusal("kernel BTF has no sk_buff." + member));
    if (m.bitSize() != bits || m.bitOffset() / 8 != (m.bitOffset() + bits - 1) / 8) {
      throw new Refusal("sk_buff." + member + " is not a " + bits + "-bit field within a byte");
    }
    return m.bitOffset();
  }
}

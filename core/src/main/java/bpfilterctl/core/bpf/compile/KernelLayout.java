package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.btf.Btf;
import java.util.Optional;

/**
 * What the programs need from the running kernel, read from its BTF: the kfunc ids for packet
 * access and the offsets of the struct fields they read.
 *
 * @param dynptrFromSkb id of bpf_dynptr_from_skb
 * @param dynptrSlice id of bpf_dynptr_slice
 * @param stateIn offset of nf_hook_state.in
 * @param stateOut offset of nf_hook_state.out
 * @param devName offset of net_device.name
 * @param skbLen offset of sk_buff.len
 * @param hz CONFIG_HZ (0 when the kernel's configuration is not readable: limit is refused)
 * @param owner what the owner match reads (empty: owner is refused)
 * @param devIfindex offset of net_device.ifindex
 * @param skbMark offset of sk_buff.mark
 * @param skbPktType bit offset of sk_buff.pkt_type (a 3-bit field)
 * @param conntrack where the conntrack matches read, when this kernel has conntrack
 */
public record KernelLayout(
    int dynptrFromSkb,
    int dynptrSlice,
    int stateIn,
    int stateOut,
    int devName,
    int skbLen,
    int hz,
    Optional<OwnerLayout> owner,
    int devIfindex,
    int skbMark,
    int skbPktType,
    Optional<ConntrackLayout> conntrack) {

  /** Reads the layout; a missing piece is an error naming it. */
  public static KernelLayout from(Btf btf) throws Refusal {
    return new KernelLayout(
        func(btf, "bpf_dynptr_from_skb"),
        func(btf, "bpf_dynptr_slice"),
        member(btf, "nf_hook_state", "in"),
        member(btf, "nf_hook_state", "out"),
        member(btf, "net_device", "name"),
        member(btf, "sk_buff", "len"),
        KernelConfig.hz(),
        OwnerLayout.from(btf),
        member(btf, "net_device", "ifindex"),
        member(btf, "sk_buff", "mark"),
        pktType(btf),
        ConntrackLayout.from(btf));
  }

  /** sk_buff.pkt_type is a 3-bit field; its bit offset (bits count from the byte's low bit). */
  private static int pktType(Btf btf) throws Refusal {
    Btf.Member m =
        btf.member("sk_buff", "pkt_type")
            .orElseThrow(() -> new Refusal("kernel BTF has no sk_buff.pkt_type"));
    if (m.bitSize() != 3 || m.bitOffset() % 8 > 5) {
      throw new Refusal("sk_buff.pkt_type is not a 3-bit field within one byte");
    }
    return m.bitOffset();
  }

  static int func(Btf btf, String name) throws Refusal {
    return btf.funcId(name).orElseThrow(() -> new Refusal("kernel BTF has no kfunc " + name));
  }

  static int member(Btf btf, String struct, String member) throws Refusal {
    Btf.Member m =
        btf.member(struct, member)
            .orElseThrow(() -> new Refusal("kernel BTF has no " + struct + "." + member));
    if (m.bitSize() != 0) {
      throw new Refusal(struct + "." + member + " is a bitfield");
    }
    return m.byteOffset();
  }
}

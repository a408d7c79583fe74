package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.btf.Btf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the owner match reads of the kernel, from its BTF: the path from a packet to its socket's
 * file credentials, as xt_owner walks it (skb->sk, sk_to_full_sk, sk->sk_socket->file->f_cred).
 *
 * @param skbSk sk_buff.sk
 * @param skState sock_common.skc_state (a byte)
 * @param skNet sock_common.skc_net (possible_net_t: the struct net pointer first)
 * @param skSocket sock.sk_socket
 * @param listener sock_common.skc_listener (request_sock's rsk_listener)
 * @param sock the BTF id of struct sock (bpf_rdonly_cast types the listener with it)
 * @param rdonlyCast the kfunc id of bpf_rdonly_cast
 * @param stateNet nf_hook_state.net
 * @param socketFile socket.file
 * @param fileCred file.f_cred
 * @param fsuid cred.fsuid
 * @param fsgid cred.fsgid
 * @param identityIds this process's user namespace maps every id to itself (make_kuid is then the
 *     identity, as for a network namespace of the initial user namespace)
 */
public record OwnerLayout(
    int skbSk,
    int skState,
    int skNet,
    int skSocket,
    int listener,
    int sock,
    int rdonlyCast,
    int stateNet,
    int socketFile,
    int fileCred,
    int fsuid,
    int fsgid,
    boolean identityIds) {

  /** The layout, or empty when the kernel's BTF lacks a piece (owner is then refused). */
  static Optional<OwnerLayout> from(Btf btf) {
    try {
      if (off(btf, "sock", "__sk_common") != 0) {
        return Optional.empty();
      }
      return Optional.of(
          new OwnerLayout(
              off(btf, "sk_buff", "sk"),
              off(btf, "sock_common", "skc_state"),
              off(btf, "sock_common", "skc_net"),
              off(btf, "sock", "sk_socket"),
              off(btf, "sock_common", "skc_listener"),
              btf.structId("sock").orElseThrow(),
              btf.funcId("bpf_rdonly_cast").orElseThrow(),
              off(btf, "nf_hook_state", "net"),
              off(btf, "socket", "file"),
              off(btf, "file", "f_cred"),
              off(btf, "cred", "fsuid"),
              off(btf, "cred", "fsgid"),
              identity("uid_map") && identity("gid_map")));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static int off(Btf btf, String struct, String member) {
    Btf.Member m = btf.member(struct, member).orElseThrow();
    if (m.bitSize() != 0) {
      throw new IllegalStateException(struct + "." + member + " is a bitfield");
    }
    return m.byteOffset();
  }

  /** /proc/self/uid_map (or gid_map) is the single full-range identity extent. */
  private static boolean identity(String map) {
    try {
      String[] f = Files.readString(Path.of("/proc/self/" + map)).trim().split("\\s+");
      return f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295");
    } catch (IOException e) {
      return false;
    }
  }
}

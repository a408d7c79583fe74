package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.btf.Btf;
import java.util.Optional;

/**
 * What the conntrack and state matches read, from the kernel's BTF: sk_buff._nfct (the nf_conn
 * pointer with ctinfo in its low 3 bits) and nf_conn.status, read through a pointer typed by the
 * bpf_rdonly_cast kfunc (an untrusted pointer: a fault reads as zero).
 *
 * @param skbNfct offset of sk_buff._nfct
 * @param ctStatus offset of nf_conn.status
 * @param rdonlyCast id of the bpf_rdonly_cast kfunc
 * @param nfConn type id of struct nf_conn
 */
public record ConntrackLayout(int skbNfct, int ctStatus, int rdonlyCast, int nfConn) {
  /** Empty on a kernel built without conntrack (or with it as a module, outside vmlinux BTF). */
  static Optional<ConntrackLayout> from(Btf btf) {
    try {
      return Optional.of(
          new ConntrackLayout(
              KernelLayout.member(btf, "sk_buff", "_nfct"),
              KernelLayout.member(btf, "nf_conn", "status"),
              KernelLayout.func(btf, "bpf_rdonly_cast"),
              btf.structId("nf_conn").orElseThrow(() -> new Refusal("no struct nf_conn"))));
    } catch (Refusal r) {
      return Optional.empty();
    }
  }
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.kernel.ExtensionContext.EntryMatch;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** Targets that rewrite TCP headers: TCPMSS, TCPOPTSTRIP, SYNPROXY. */
final class TcpTargets {
  static final int CLAMP_PMTU = 0xffff;
  static final int TCPHDR_SYN = 0x02;
  static final int XT_TCP_INV_FLAGS = 0x04;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_tcpmss_info {u16 mss}
          Xt.target("TCPMSS", 0, 2).ipv4().proto(Proto.TCP).check(TcpTargets::checkTcpmss),
          // xt_tcpoptstrip_target_info {u32 strip_bmap[8]}
          Xt.target("TCPOPTSTRIP", 0, 32).ipv4().table("mangle").proto(Proto.TCP),
          // xt_synproxy_info {u8 options, wscale; u16 mss}
          Xt.target("SYNPROXY", 0, 4)
              .ipv4()
              .hooks(Hook.INPUT.bit() | Hook.FORWARD.bit())
              .check((c, d) -> Check.einvalIf(!c.protoIs(Proto.TCP))));

  private TcpTargets() {}

  /**
   * Clamping to the path MTU needs a route (FORWARD, OUTPUT, POSTROUTING), and the rule must match
   * SYN packets with a tcp match (--syn or --tcp-flags ... SYN, not inverted).
   */
  static Optional<Errno> checkTcpmss(ExtensionContext ctx, ByteBuffer d) {
    int mss = d.getShort(0) & 0xffff;
    if (mss == CLAMP_PMTU
        && (ctx.hookMask() & ~(Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit()))
            != 0) {
      return Optional.of(Errno.EINVAL);
    }
    return Check.einvalIf(ctx.matches().stream().noneMatch(TcpTargets::isSynMatch));
  }

  static boolean isSynMatch(EntryMatch m) {
    if (!m.name().equals("tcp") || m.data().capacity() < 12) {
      return false;
    }
    int flgCmp = m.data().get(10) & 0xff;
    int invflags = m.data().get(11) & 0xff;
    return (flgCmp & TCPHDR_SYN) != 0 && (invflags & XT_TCP_INV_FLAGS) == 0;
  }
}

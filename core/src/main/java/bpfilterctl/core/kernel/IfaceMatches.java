package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** devgroup (the devices' group ids) and l2tp (tunnel and session ids). */
final class IfaceMatches {
  static final int DEVGROUP_SRC = 0x1;
  static final int DEVGROUP_DST = 0x4;
  static final int DEVGROUP_MASK = 0xf;
  static final int L2TP_PROTO = 115;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_devgroup_info {u32 flags, src_group, src_mask, dst_group, dst_mask}
          Xt.match("devgroup", 0, 20).check(IfaceMatches::devgroup),
          // xt_l2tp_info {u32 tid, sid; u8 version, type, flags}
          Xt.match("l2tp", 0, 12).ipv4().check(IfaceMatches::l2tp));

  private IfaceMatches() {}

  /** The input device exists before routing, the output one after. */
  static Optional<Errno> devgroup(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.getInt(0);
    return Check.einvalIf(
        (flags & ~DEVGROUP_MASK) != 0
            || ((flags & DEVGROUP_SRC) != 0
                && (ctx.hookMask()
                        & ~(Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()))
                    != 0)
            || ((flags & DEVGROUP_DST) != 0
                && (ctx.hookMask()
                        & ~(Hook.FORWARD.bit() | Hook.OUTPUT.bit() | Hook.POSTROUTING.bit()))
                    != 0));
  }

  static Optional<Errno> l2tp(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.get(10) & 0xff;
    return Check.einvalIf(flags == 0 || !(ctx.protoIs(Proto.UDP) || ctx.protoIs(L2TP_PROTO)));
  }
}

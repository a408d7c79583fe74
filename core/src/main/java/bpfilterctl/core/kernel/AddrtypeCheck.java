package bpfilterctl.core.kernel;

import static bpfilterctl.core.uapi.XtAddrtypeInfo.LIMIT_IFACE_IN;
import static bpfilterctl.core.uapi.XtAddrtypeInfo.LIMIT_IFACE_OUT;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.XtAddrtypeInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_addrtype.c: revision 0 (ipt_addrtype_info {u16 source, dest; u32 invert_source, invert_dest})
 * and 1 (xt_addrtype_info_v1 {u16 source, dest; u32 flags}), whose --limit-iface-in/out need a hook
 * that has that interface.
 */
final class AddrtypeCheck {

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("addrtype", 0, XtAddrtypeInfo.SIZE).ipv4(),
          Xt.match("addrtype", 1, XtAddrtypeInfo.SIZE_V1).ipv4().check(AddrtypeCheck::checkV1));

  private AddrtypeCheck() {}

  static Optional<Errno> checkV1(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.getInt(4);
    boolean in = (flags & LIMIT_IFACE_IN) != 0;
    boolean out = (flags & LIMIT_IFACE_OUT) != 0;
    return Check.einvalIf(
        (in && out)
            || (in && ctx.reachedFrom(Hook.OUTPUT.bit() | Hook.POSTROUTING.bit()))
            || (out && ctx.reachedFrom(Hook.PREROUTING.bit() | Hook.INPUT.bit())));
  }
}

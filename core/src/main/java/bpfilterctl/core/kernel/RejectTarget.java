package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** ipt_REJECT.c: struct ipt_reject_info {enum ipt_reject_with with}, filter table only. */
final class RejectTarget {
  static final int ICMP_ECHOREPLY = 4;
  static final int TCP_RESET = 7;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.target("REJECT", 0, 4)
              .ipv4()
              .table("filter")
              .hooks(Hook.INPUT.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit())
              .check(RejectTarget::check));

  private RejectTarget() {}

  /** An echo reply is no error message; a TCP reset needs a TCP rule. */
  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    int with = d.getInt(0);
    return Check.einvalIf(with == ICMP_ECHOREPLY || (with == TCP_RESET && !ctx.protoIs(Proto.TCP)));
  }
}

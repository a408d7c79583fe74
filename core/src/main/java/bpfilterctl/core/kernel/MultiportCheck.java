package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_multiport.c, revision 1 only (struct xt_multiport_v1: flags, count, ports[15], pflags[15],
 * invert). The protocol must be one with ports, not inverted.
 */
final class MultiportCheck {
  static final int XT_MULTI_PORTS = 15;
  static final int XT_MULTIPORT_EITHER = 2;
  static final int PFLAGS = 2 + 2 * XT_MULTI_PORTS;

  static final List<KernelExtension> ALL =
      List.of(Xt.match("multiport", 1, 48).ipv4().check(MultiportCheck::check));

  private MultiportCheck() {}

  static int port(ByteBuffer d, int i) {
    return d.getShort(2 + 2 * i) & 0xffff;
  }

  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    boolean portProto =
        ctx.protoIs(Proto.TCP)
            || ctx.protoIs(Proto.UDP)
            || ctx.protoIs(Proto.UDPLITE)
            || ctx.protoIs(Proto.SCTP)
            || ctx.protoIs(Proto.DCCP);
    int flags = d.get(0) & 0xff;
    int count = d.get(1) & 0xff;
    if (!portProto || flags > XT_MULTIPORT_EITHER || count > XT_MULTI_PORTS) {
      return Optional.of(Errno.EINVAL);
    }
    // a port that starts a range (pflags) needs a next port that ends it, not one that starts
    // another range, and not one below it
    for (int i = 0; i < count; i++) {
      if (d.get(PFLAGS + i) != 0
          && (i + 1 >= count || d.get(PFLAGS + i + 1) != 0 || port(d, i) > port(d, i + 1))) {
        return Optional.of(Errno.EINVAL);
      }
    }
    return Optional.empty();
  }
}

package bpfilterctl.core.kernel;

import static bpfilterctl.core.uapi.XtMultiportV1.EITHER;
import static bpfilterctl.core.uapi.XtMultiportV1.MULTI_PORTS;
import static bpfilterctl.core.uapi.XtMultiportV1.OFF_PFLAGS;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Proto;
import bpfilterctl.core.uapi.XtMultiportV1;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_multiport.c, revision 1 only (struct xt_multiport_v1: flags, count, ports[15], pflags[15],
 * invert). The protocol must be one with ports, not inverted.
 */
final class MultiportCheck {

  static final List<KernelExtension> ALL =
      List.of(Xt.match("multiport", 1, XtMultiportV1.SIZE).ipv4().check(MultiportCheck::check));

  private MultiportCheck() {}

  static int port(ByteBuffer d, int i) {
    return d.getShort(XtMultiportV1.OFF_PORTS + 2 * i) & 0xffff;
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
    if (!portProto || flags > EITHER || count > MULTI_PORTS) {
      return Optional.of(Errno.EINVAL);
    }
    // a port that starts a range (pflags) needs a next port that ends it, not one that starts
    // another range, and not one below it
    for (int i = 0; i < count; i++) {
      if (d.get(OFF_PFLAGS + i) != 0
          && (i + 1 >= count || d.get(OFF_PFLAGS + i + 1) != 0 || port(d, i) > port(d, i + 1))) {
        return Optional.of(Errno.EINVAL);
      }
    }
    return Optional.empty();
  }
}

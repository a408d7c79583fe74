package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** Matches on IP header bits with checks of their own: dscp, ecn. */
final class HeaderMatches {
  static final int DSCP_MAX = 0x3f;
  static final int ECN_OP_MATCH_MASK = 0xce;
  static final int ECN_OP_MATCH_ECE = 0x10;
  static final int ECN_OP_MATCH_CWR = 0x20;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_dscp_info {u8 dscp, invert}: a DSCP beyond 6 bits is EDOM
          Xt.match("dscp", 0, 2)
              .ipv4()
              .check(
                  (c, d) ->
                      (d.get(0) & 0xff) > DSCP_MAX ? Optional.of(Errno.EDOM) : Optional.empty()),
          // xt_ecn_info {u8 operation, invert, ip_ect; u8 tcp ect}
          Xt.match("ecn", 0, 4).ipv4().check(HeaderMatches::checkEcn));

  private HeaderMatches() {}

  /** ECE/CWR are TCP header bits: the rule must be -p tcp. */
  static Optional<Errno> checkEcn(ExtensionContext ctx, ByteBuffer d) {
    int op = d.get(0) & 0xff;
    int invert = d.get(1) & 0xff;
    return Check.einvalIf(
        (op & ECN_OP_MATCH_MASK) != 0
            || (invert & ECN_OP_MATCH_MASK) != 0
            || ((op & (ECN_OP_MATCH_ECE | ECN_OP_MATCH_CWR)) != 0 && !ctx.protoIs(Proto.TCP)));
  }
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** Targets that rewrite IP header fields, all mangle-table only: DSCP, TOS, TTL, ECN, CHECKSUM. */
final class MangleTargets {
  static final int DSCP_MAX = 0x3f;
  static final int TTL_SET = 0;
  static final int TTL_MAXMODE = 2;
  static final int ECN_OP_MASK = 0xce;
  static final int ECN_IP_MASK = 0x03;
  static final int ECN_OP_SET_ECE = 0x10;
  static final int ECN_OP_SET_CWR = 0x20;
  static final int CHECKSUM_OP_FILL = 0x01;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_DSCP_info {u8 dscp}
          mangle("DSCP", 0, 1)
              .check(
                  (c, d) ->
                      (d.get(0) & 0xff) > DSCP_MAX ? Optional.of(Errno.EDOM) : Optional.empty()),
          // xt_tos_target_info {u8 tos_value, tos_mask}
          mangle("TOS", 1, 2),
          // ipt_TTL_info {u8 mode, ttl}: inc/dec by 0 is refused
          mangle("TTL", 0, 2)
              .check(
                  (c, d) ->
                      Check.einvalIf(
                          (d.get(0) & 0xff) > TTL_MAXMODE
                              || ((d.get(0) & 0xff) != TTL_SET && d.get(1) == 0))),
          // ipt_ECN_info {u8 operation, ip_ect; u8 tcp ece/cwr bits}
          mangle("ECN", 0, 3).check(MangleTargets::checkEcn),
          // xt_CHECKSUM_info {u8 operation}: "fill" is the only operation
          mangle("CHECKSUM", 0, 1)
              .check(
                  (c, d) -> Check.einvalIf((d.get(0) & ~CHECKSUM_OP_FILL) != 0 || d.get(0) == 0)));

  private MangleTargets() {}

  static Xt mangle(String name, int revision, int size) {
    return Xt.target(name, revision, size).ipv4().table("mangle");
  }

  static Optional<Errno> checkEcn(ExtensionContext ctx, ByteBuffer d) {
    int op = d.get(0) & 0xff;
    return Check.einvalIf(
        (op & ECN_OP_MASK) != 0
            || (d.get(1) & ~ECN_IP_MASK) != 0
            || ((op & (ECN_OP_SET_ECE | ECN_OP_SET_CWR)) != 0 && !ctx.protoIs(Proto.TCP)));
  }
}

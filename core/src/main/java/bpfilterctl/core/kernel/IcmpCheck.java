package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.IptIcmp;
import bpfilterctl.core.uapi.Proto;
import java.util.List;

/** ip_tables.c's icmp match: struct ipt_icmp {u8 type, code[2], invflags}. */
final class IcmpCheck {
  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("icmp", 0, IptIcmp.SIZE)
              .ipv4()
              .proto(Proto.ICMP)
              .check(
                  (ctx, d) -> Check.einvalIf((d.get(IptIcmp.OFF_INVFLAGS) & ~IptIcmp.INV) != 0)));

  private IcmpCheck() {}
}

package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * The quota match (libxt_quota.c), struct xt_quota_info, 24 bytes: {@code u32 flags} (bit 0
 * inverts), padding, {@code u64 quota} at 8, and a kernel pointer.
 */
final class QuotaMatch extends AbstractXtExtension {
  static final QuotaMatch INSTANCE = new QuotaMatch();

  private QuotaMatch() {
    super(
        ExtensionKind.MATCH,
        "quota",
        0,
        24,
        List.of(XtOption.of("quota", XtOptionType.UINT64, 0, XtOption.MAND | XtOption.INVERT)));
  }

  @Override
  public int userSpaceSize() {
    return 16;
  }

  @Override
  public void parse(XtArg arg, ExtData d) {
    d.data().putLong(8, arg.val());
    if (arg.invert()) {
      d.data().putInt(0, d.data().getInt(0) | 1);
    }
  }

  // -L shows no inversion, as in iptables.
  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" quota: ").append(Long.toUnsignedString(d.data().getLong(8))).append(" bytes");
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    if ((d.data().getInt(0) & 1) != 0) {
      out.append(" !");
    }
    out.append(" --quota ").append(Long.toUnsignedString(d.data().getLong(8)));
  }
}

package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * The rpfilter match (libxt_rpfilter.c), struct xt_rpfilter_info: one {@code u8 flags} byte, one
 * bit per option in the order of {@link #options()}.
 */
final class RpfilterMatch extends AbstractXtExtension {
  private static final List<String> FLAG_NAMES =
      List.of("loose", "validmark", "accept-local", "invert");

  // After FLAG_NAMES: the constructor reads it.
  static final RpfilterMatch INSTANCE = new RpfilterMatch();

  private RpfilterMatch() {
    super(
        ExtensionKind.MATCH,
        "rpfilter",
        0,
        1,
        List.of(
            XtOption.of(FLAG_NAMES.get(0), XtOptionType.NONE, 0, 0),
            XtOption.of(FLAG_NAMES.get(1), XtOptionType.NONE, 1, 0),
            XtOption.of(FLAG_NAMES.get(2), XtOptionType.NONE, 2, 0),
            XtOption.of(FLAG_NAMES.get(3), XtOptionType.NONE, 3, 0)));
  }

  @Override
  public void parse(XtArg arg, ExtData d) {
    d.data().put(0, (byte) (d.data().get(0) | (1 << arg.id())));
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" rpfilter");
    flags(d, "", out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    flags(d, "--", out);
  }

  private static void flags(ExtData d, String prefix, StringBuilder out) {
    int flags = d.data().get(0);
    for (int i = 0; i < FLAG_NAMES.size(); i++) {
      if ((flags & (1 << i)) != 0) {
        out.append(' ').append(prefix).append(FLAG_NAMES.get(i));
      }
    }
  }
}

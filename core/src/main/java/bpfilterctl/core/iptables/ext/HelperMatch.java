package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/** helper (libxt_helper.c): struct xt_helper_info { int invert; char name[30]; }, 36 bytes. */
public final class HelperMatch extends AbstractXtExtension {
  static final int NAME_LEN = 30;

  public static final List<XtExtension> ALL = List.of(new HelperMatch());

  private HelperMatch() {
    super(
        ExtensionKind.MATCH,
        "helper",
        0,
        36,
        List.of(
            XtOption.of("helper", XtOptionType.STRING, 0, XtOption.MAND | XtOption.INVERT)
                .withSize(NAME_LEN)));
  }

  @Override
  public void parse(XtArg a, ExtData d) {
    XtPrint.putCString(d.data(), 4, NAME_LEN, a.arg());
    if (a.invert()) {
      d.data().putInt(0, 1);
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" helper match ")
        .append(d.data().getInt(0) != 0 ? "! " : "")
        .append('"')
        .append(XtPrint.cString(d.data(), 4, NAME_LEN))
        .append('"');
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(d.data().getInt(0) != 0 ? " !" : "").append(" --helper");
    XtText.saveString(XtPrint.cString(d.data(), 4, NAME_LEN), out);
  }
}

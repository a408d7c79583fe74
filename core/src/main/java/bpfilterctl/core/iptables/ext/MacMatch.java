package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/** mac (libxt_mac.c): struct xt_mac_info { u8 srcaddr[6]; int invert; }, 12 bytes. */
public final class MacMatch extends AbstractXtExtension {
  public static final List<XtExtension> ALL = List.of(new MacMatch());

  private MacMatch() {
    super(
        ExtensionKind.MATCH,
        "mac",
        0,
        12,
        List.of(
            XtOption.of("mac-source", XtOptionType.ETHERMAC, 0, XtOption.MAND | XtOption.INVERT)));
  }

  @Override
  public void parse(XtArg a, ExtData d) {
    d.data().put(0, a.addr());
    if (a.invert()) {
      d.data().putInt(8, 1);
    }
  }

  /** xtables_print_mac. */
  static String mac(ExtData d, int at) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 6; i++) {
      s.append(i == 0 ? "" : ":").append(String.format("%02x", XtPrint.u8(d.data(), at + i)));
    }
    return s.toString();
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" MAC ").append(d.data().getInt(8) != 0 ? "! " : "").append(mac(d, 0));
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(d.data().getInt(8) != 0 ? " !" : "").append(" --mac-source ").append(mac(d, 0));
  }
}

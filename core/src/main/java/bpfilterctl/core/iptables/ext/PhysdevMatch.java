package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * physdev (libxt_physdev.c): struct xt_physdev_info { char physindev[16], in_mask[16],
 * physoutdev[16], out_mask[16]; u8 invert, bitmask; }, 66 bytes.
 */
public final class PhysdevMatch extends AbstractXtExtension {
  static final int IN = 1;
  static final int OUT = 2;
  static final int BRIDGED = 4;
  static final int ISIN = 8;
  static final int ISOUT = 16;

  public static final List<XtExtension> ALL = List.of(new PhysdevMatch());

  private PhysdevMatch() {
    super(
        ExtensionKind.MATCH,
        "physdev",
        0,
        66,
        List.of(
            XtOption.of("physdev-in", XtOptionType.STRING, 0, XtOption.INVERT),
            XtOption.of("physdev-out", XtOptionType.STRING, 1, XtOption.INVERT),
            XtOption.of("physdev-is-in", XtOptionType.NONE, 2, XtOption.INVERT),
            XtOption.of("physdev-is-out", XtOptionType.NONE, 3, XtOption.INVERT),
            XtOption.of("physdev-is-bridged", XtOptionType.NONE, 4, XtOption.INVERT)));
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    var b = d.data();
    int bit =
        switch (a.id()) {
          case 0 -> IN;
          case 1 -> OUT;
          case 2 -> ISIN;
          case 3 -> ISOUT;
          default -> BRIDGED;
        };
    if (a.id() == 0) {
      Libxtables.parseInterface(a.arg(), b, 0, 16);
    } else if (a.id() == 1) {
      Libxtables.parseInterface(a.arg(), b, 32, 48);
    }
    if (a.invert()) {
      b.put(64, (byte) (XtPrint.u8(b, 64) | bit));
    }
    b.put(65, (byte) (XtPrint.u8(b, 65) | bit));
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (d.seen() == 0) {
      throw RuleException.parameter("PHYSDEV: no physdev option specified");
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" PHYSDEV match");
    save(d, out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    var b = d.data();
    int inv = XtPrint.u8(b, 64);
    int bits = XtPrint.u8(b, 65);
    if ((bits & ISIN) != 0) {
      out.append((inv & ISIN) != 0 ? " !" : "").append(" --physdev-is-in");
    }
    if ((bits & IN) != 0) {
      out.append((inv & IN) != 0 ? " !" : "")
          .append(" --physdev-in ")
          .append(XtPrint.cString(b, 0, 16));
    }
    if ((bits & ISOUT) != 0) {
      out.append((inv & ISOUT) != 0 ? " !" : "").append(" --physdev-is-out");
    }
    if ((bits & OUT) != 0) {
      out.append((inv & OUT) != 0 ? " !" : "")
          .append(" --physdev-out ")
          .append(XtPrint.cString(b, 32, 16));
    }
    if ((bits & BRIDGED) != 0) {
      out.append((inv & BRIDGED) != 0 ? " !" : "").append(" --physdev-is-bridged");
    }
  }
}

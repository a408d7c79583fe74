package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * iprange revision 1 (libxt_iprange.c): struct xt_iprange_mtinfo { src_min, src_max, dst_min,
 * dst_max (nf_inet_addr each); u8 flags; }, 68 bytes.
 */
public final class IprangeMatch extends AbstractXtExtension {
  static final int SRC = 1;
  static final int DST = 2;
  static final int SRC_INV = 0x10;
  static final int DST_INV = 0x20;

  public static final List<XtExtension> ALL = List.of(new IprangeMatch());

  private IprangeMatch() {
    super(
        ExtensionKind.MATCH,
        "iprange",
        1,
        68,
        List.of(
            XtOption.of("src-range", XtOptionType.STRING, 0, XtOption.INVERT),
            XtOption.of("dst-range", XtOptionType.STRING, 1, XtOption.INVERT)));
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    boolean src = a.id() == 0;
    String opt = src ? "--src-range" : "--dst-range";
    String arg = a.arg();
    int dash = arg.indexOf('-');
    String from = dash < 0 ? arg : arg.substring(0, dash);
    String to = dash < 0 ? arg : arg.substring(dash + 1);
    int at = src ? 0 : 32;
    for (int i = 0; i < 2; i++) {
      String spec = i == 0 ? from : to;
      byte[] addr = Libxtables.dottedAddress(spec);
      if (addr == null) {
        throw RuleException.parameter(
            "iprange: Bad value for \"" + opt + "\" option: \"" + spec + "\"");
      }
      d.data().put(at + 16 * i, new byte[16]).put(at + 16 * i, addr);
    }
    if (dash >= 0
        && java.util.Arrays.compareUnsigned(d.bytes(), at, at + 16, d.bytes(), at + 16, at + 32)
            > 0) {
      // kept as typed: iptables only warns
      d.warn("xt_iprange: range " + from + "-" + to + " is reversed and will never match");
    }
    int flags = XtPrint.u8(d.data(), 64) | (src ? SRC : DST);
    if (a.invert()) {
      flags |= src ? SRC_INV : DST_INV;
    }
    d.data().put(64, (byte) flags);
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (d.seen() == 0) {
      throw RuleException.parameter(
          "iprange match: You must specify `--src-range' or `--dst-range'");
    }
  }

  private static String range(ExtData d, int at) {
    return XtPrint.ip(XtPrint.be32(d.data(), at))
        + "-"
        + XtPrint.ip(XtPrint.be32(d.data(), at + 16));
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    int f = XtPrint.u8(d.data(), 64);
    if ((f & SRC) != 0) {
      out.append(" source IP range").append((f & SRC_INV) != 0 ? " !" : "");
      out.append(' ').append(range(d, 0));
    }
    if ((f & DST) != 0) {
      out.append(" destination IP range").append((f & DST_INV) != 0 ? " !" : "");
      out.append(' ').append(range(d, 32));
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    int f = XtPrint.u8(d.data(), 64);
    if ((f & SRC) != 0) {
      out.append((f & SRC_INV) != 0 ? " !" : "").append(" --src-range ").append(range(d, 0));
    }
    if ((f & DST) != 0) {
      out.append((f & DST_INV) != 0 ? " !" : "").append(" --dst-range ").append(range(d, 32));
    }
  }
}

package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.uapi.XtAddrtypeInfo.INVERT_DEST;
import static bpfilterctl.core.uapi.XtAddrtypeInfo.INVERT_SOURCE;
import static bpfilterctl.core.uapi.XtAddrtypeInfo.LIMIT_IFACE_IN;
import static bpfilterctl.core.uapi.XtAddrtypeInfo.LIMIT_IFACE_OUT;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtAddrtypeInfo;
import java.util.List;

/**
 * addrtype (libxt_addrtype.c): revision 0, struct xt_addrtype_info { u16 source, dest; u32
 * invert_source, invert_dest; } (12 bytes), and revision 1, xt_addrtype_info_v1 { u16 source, dest;
 * u32 flags; } (8 bytes) with --limit-iface-in/out.
 */
public final class AddrtypeMatch extends AbstractXtExtension {
  static final String[] TYPES = {
    "UNSPEC",
    "UNICAST",
    "LOCAL",
    "BROADCAST",
    "ANYCAST",
    "MULTICAST",
    "BLACKHOLE",
    "UNREACHABLE",
    "PROHIBIT",
    "THROW",
    "NAT",
    "XRESOLVE"
  };

  public static final List<XtExtension> ALL = List.of(new AddrtypeMatch(0), new AddrtypeMatch(1));

  private AddrtypeMatch(int revision) {
    super(
        ExtensionKind.MATCH,
        "addrtype",
        revision,
        revision == 0 ? XtAddrtypeInfo.SIZE : XtAddrtypeInfo.SIZE_V1,
        options(revision));
  }

  private static List<XtOption> options(int revision) {
    XtOption src = XtOption.of("src-type", XtOptionType.STRING, 0, XtOption.INVERT);
    XtOption dst = XtOption.of("dst-type", XtOptionType.STRING, 1, XtOption.INVERT);
    if (revision == 0) {
      return List.of(src, dst);
    }
    return List.of(
        src,
        dst,
        XtOption.of("limit-iface-in", XtOptionType.NONE, 2, 0).withExcl(1 << 3),
        XtOption.of("limit-iface-out", XtOptionType.NONE, 3, 0).withExcl(1 << 2));
  }

  /** parse_types: a comma list of case-insensitive prefixes of the route type names. */
  static int types(String arg) throws RuleException {
    int mask = 0;
    String rest = arg;
    int comma;
    while ((comma = rest.indexOf(',')) >= 0) {
      int bit = comma == 0 ? -1 : type(rest.substring(0, comma));
      if (bit < 0) {
        throw RuleException.parameter("addrtype: bad type `" + rest + "'");
      }
      mask |= bit;
      rest = rest.substring(comma + 1);
    }
    int bit = rest.isEmpty() ? -1 : type(rest);
    if (bit < 0) {
      throw RuleException.parameter("addrtype: bad type \"" + rest + "\"");
    }
    return mask | bit;
  }

  private static int type(String item) {
    for (int i = 0; i < TYPES.length; i++) {
      if (LimitMatch.prefixOf(item, TYPES[i])) {
        return 1 << i;
      }
    }
    return -1;
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    var b = d.data();
    switch (a.id()) {
      case 0, 1 -> {
        int at = a.id() == 0 ? 0 : 2;
        b.putShort(at, (short) (XtPrint.u16(b, at) | types(a.arg())));
        if (a.invert()) {
          if (revision() == 0) {
            b.putInt(a.id() == 0 ? 4 : 8, 1);
          } else {
            b.putInt(4, b.getInt(4) | (a.id() == 0 ? INVERT_SOURCE : INVERT_DEST));
          }
        }
      }
      case 2 -> b.putInt(4, b.getInt(4) | LIMIT_IFACE_IN);
      default -> b.putInt(4, b.getInt(4) | LIMIT_IFACE_OUT);
    }
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if ((d.seen() & 3) == 0) {
      throw RuleException.parameter("addrtype: you must specify --src-type or --dst-type");
    }
  }

  private static String names(int mask) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < TYPES.length; i++) {
      if ((mask & (1 << i)) != 0) {
        s.append(s.length() == 0 ? "" : ",").append(TYPES[i]);
      }
    }
    return s.toString();
  }

  private boolean invSrc(ExtData d) {
    return revision() == 0 ? d.data().getInt(4) != 0 : (d.data().getInt(4) & INVERT_SOURCE) != 0;
  }

  private boolean invDst(ExtData d) {
    return revision() == 0 ? d.data().getInt(8) != 0 : (d.data().getInt(4) & INVERT_DEST) != 0;
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    int src = XtPrint.u16(d.data(), 0);
    int dst = XtPrint.u16(d.data(), 2);
    out.append(" ADDRTYPE match");
    if (src != 0) {
      out.append(" src-type ").append(invSrc(d) ? "!" : "").append(names(src));
    }
    if (dst != 0) {
      // revision 0 prints no blank after "dst-type"
      out.append(revision() == 0 ? " dst-type" : " dst-type ")
          .append(invDst(d) ? "!" : "")
          .append(names(dst));
    }
    if (revision() == 1) {
      int f = d.data().getInt(4);
      if ((f & LIMIT_IFACE_IN) != 0) {
        out.append(" limit-in");
      }
      if ((f & LIMIT_IFACE_OUT) != 0) {
        out.append(" limit-out");
      }
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    int src = XtPrint.u16(d.data(), 0);
    int dst = XtPrint.u16(d.data(), 2);
    if (src != 0) {
      out.append(invSrc(d) ? " !" : "").append(" --src-type ").append(names(src));
    }
    if (dst != 0) {
      out.append(invDst(d) ? " !" : "").append(" --dst-type ").append(names(dst));
    }
    if (revision() == 1) {
      int f = d.data().getInt(4);
      if ((f & LIMIT_IFACE_IN) != 0) {
        out.append(" --limit-iface-in");
      }
      if ((f & LIMIT_IFACE_OUT) != 0) {
        out.append(" --limit-iface-out");
      }
    }
  }
}

package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtPrint.u16;
import static bpfilterctl.core.iptables.ext.XtPrint.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * Matches on one field of the packet's headers: length, ttl, tcpmss, pkttype, dscp, tos and ecn
 * (libxt_length.c, libipt_ttl.c, libxt_tcpmss.c, libxt_pkttype.c, libxt_dscp.c, libxt_tos.c,
 * libxt_ecn.c).
 */
public final class PacketFieldMatches {
  private PacketFieldMatches() {}

  private static final int INV = XtOption.INVERT;
  private static final int MAND = XtOption.MAND;

  public static final List<XtExtension> ALL =
      List.of(
          new Length(),
          new Ttl(),
          new Tcpmss(),
          new Pkttype(),
          new Dscp(),
          new Tos(0),
          new Tos(1),
          new Ecn());

  /** "min" or "min:max". */
  static String range(int min, int max) {
    return min == max ? Integer.toString(min) : min + ":" + max;
  }

  /** xt_length_info { u16 min, max; u8 invert; }, 6 bytes. */
  static final class Length extends AbstractXtExtension {
    Length() {
      super(
          ExtensionKind.MATCH,
          "length",
          0,
          6,
          List.of(XtOption.of("length", XtOptionType.UINT16RC, 0, MAND | INV)));
    }

    @Override
    public void parse(XtArg a, ExtData d) {
      d.data().putShort(0, (short) a.val(0));
      d.data().putShort(2, (short) (a.nvals() >= 2 ? a.val(1) : a.val(0)));
      if (a.invert()) {
        d.data().put(4, (byte) 1);
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" length ").append(u8(d.data(), 4) != 0 ? "!" : "");
      out.append(range(u16(d.data(), 0), u16(d.data(), 2)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(u8(d.data(), 4) != 0 ? " !" : "").append(" --length ");
      out.append(range(u16(d.data(), 0), u16(d.data(), 2)));
    }
  }

  /** ipt_ttl_info { u8 mode (EQ, NE, LT, GT); u8 ttl; }. */
  static final class Ttl extends AbstractXtExtension {
    Ttl() {
      super(
          ExtensionKind.MATCH,
          "ttl",
          0,
          2,
          List.of(
              XtOption.of("ttl-lt", XtOptionType.UINT8, 1, 0).withExcl(7),
              XtOption.of("ttl-gt", XtOptionType.UINT8, 2, 0).withExcl(7),
              XtOption.of("ttl-eq", XtOptionType.UINT8, 0, INV).withExcl(7),
              XtOption.of("ttl", XtOptionType.UINT8, 0, 0).withExcl(7)));
    }

    @Override
    public void parse(XtArg a, ExtData d) {
      int mode =
          switch (a.id()) {
            case 0 -> a.invert() ? 1 : 0;
            case 1 -> 2;
            default -> 3;
          };
      d.data().put(0, (byte) mode).put(1, (byte) a.val());
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if ((d.seen() & 7) == 0) {
        throw RuleException.parameter(
            "TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      String[] ops = {"TTL ==", "TTL !=", "TTL <", "TTL >"};
      int mode = u8(d.data(), 0);
      out.append(" TTL match ").append(mode < 4 ? ops[mode] : "");
      out.append(' ').append(u8(d.data(), 1));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      String[] opts = {" --ttl-eq", " ! --ttl-eq", " --ttl-lt", " --ttl-gt"};
      int mode = u8(d.data(), 0);
      out.append(mode < 4 ? opts[mode] : "").append(' ').append(u8(d.data(), 1));
    }
  }

  /** xt_tcpmss_match_info { u16 mss_min, mss_max; u8 invert; }, 6 bytes. */
  static final class Tcpmss extends AbstractXtExtension {
    Tcpmss() {
      super(
          ExtensionKind.MATCH,
          "tcpmss",
          0,
          6,
          List.of(XtOption.of("mss", XtOptionType.UINT16RC, 0, MAND | INV)));
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      int min = (int) a.val(0);
      int max = min;
      if (a.nvals() == 2) {
        max = (int) a.val(1);
        if (max < min) {
          throw RuleException.parameter("tcpmss: invalid range given");
        }
      }
      d.data().putShort(0, (short) min).putShort(2, (short) max);
      if (a.invert()) {
        d.data().put(4, (byte) 1);
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" tcpmss match ").append(u8(d.data(), 4) != 0 ? "!" : "");
      out.append(range(u16(d.data(), 0), u16(d.data(), 2)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(u8(d.data(), 4) != 0 ? " !" : "").append(" --mss ");
      out.append(range(u16(d.data(), 0), u16(d.data(), 2)));
    }
  }

  /** xt_pkttype_info { int pkttype; int invert; }. */
  static final class Pkttype extends AbstractXtExtension {
    static final String[] NAMES = {
      "unicast", "broadcast", "multicast", "otherhost", "bcast", "mcast", "host"
    };
    static final int[] TYPES = {0, 1, 2, 3, 1, 2, 0};

    Pkttype() {
      super(
          ExtensionKind.MATCH,
          "pkttype",
          0,
          8,
          List.of(XtOption.of("pkt-type", XtOptionType.STRING, 0, MAND | INV)));
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      int i = 0;
      while (i < NAMES.length && !NAMES[i].equalsIgnoreCase(a.arg())) {
        i++;
      }
      if (i == NAMES.length) {
        throw RuleException.parameter("Bad packet type '" + a.arg() + "'");
      }
      d.data().putInt(0, TYPES[i]);
      if (a.invert()) {
        d.data().putInt(4, 1);
      }
    }

    private static String name(int type) {
      for (int i = 0; i < NAMES.length; i++) {
        if (TYPES[i] == type) {
          return NAMES[i];
        }
      }
      return Integer.toString(type);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" PKTTYPE ").append(d.data().getInt(4) != 0 ? "!" : "").append("= ");
      out.append(name(d.data().getInt(0)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(d.data().getInt(4) != 0 ? " !" : "").append(" --pkt-type ");
      out.append(name(d.data().getInt(0)));
    }
  }

  /** xt_dscp_info { u8 dscp; u8 invert; }. */
  static final class Dscp extends AbstractXtExtension {
    Dscp() {
      super(
          ExtensionKind.MATCH,
          "dscp",
          0,
          2,
          List.of(
              XtOption.of("dscp", XtOptionType.UINT8, 0, INV).withExcl(2).withRange(0, 63),
              XtOption.of("dscp-class", XtOptionType.STRING, 1, INV).withExcl(1)));
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      d.data().put(0, (byte) (a.id() == 0 ? a.val() : classToDscp(a.arg())));
      if (a.invert()) {
        d.data().put(1, (byte) 1);
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("DSCP match: Parameter --dscp is required");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" DSCP match ").append(u8(d.data(), 1) != 0 ? "!" : "");
      out.append(String.format("0x%02x", u8(d.data(), 0)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(u8(d.data(), 1) != 0 ? " !" : "");
      out.append(String.format(" --dscp 0x%02x", u8(d.data(), 0)));
    }
  }

  private static final String[] DS_CLASSES = {
    "CS0", "CS1", "CS2", "CS3", "CS4", "CS5", "CS6", "CS7", "BE", "AF11", "AF12", "AF13", "AF21",
    "AF22", "AF23", "AF31", "AF32", "AF33", "AF41", "AF42", "AF43", "EF"
  };
  private static final int[] DS_VALUES = {
    0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x00, 0x0a, 0x0c, 0x0e, 0x12, 0x14, 0x16, 0x1a,
    0x1c, 0x1e, 0x22, 0x24, 0x26, 0x2e
  };

  /**
   * class_to_dscp (dscp_helper.c): the first class name the argument starts with,
   * case-insensitively. Shared with the DSCP target.
   */
  public static int classToDscp(String name) throws RuleException {
    for (int i = 0; i < DS_CLASSES.length; i++) {
      String c = DS_CLASSES[i];
      if (name.length() >= c.length() && name.substring(0, c.length()).equalsIgnoreCase(c)) {
        return DS_VALUES[i];
      }
    }
    throw RuleException.parameter("Invalid DSCP value `" + name + "'");
  }

  private static final String[] TOS_NAMES = {
    "Minimize-Delay",
    "Maximize-Throughput",
    "Maximize-Reliability",
    "Minimize-Cost",
    "Normal-Service"
  };
  private static final int[] TOS_VALUES = {0x10, 0x08, 0x04, 0x02, 0x00};

  /** tos_try_print_symbolic: a name only for the 0x3f mask. */
  static String tosSymbol(int value, int mask) {
    if (mask != 0x3f) {
      return null;
    }
    for (int i = 0; i < TOS_NAMES.length; i++) {
      if (TOS_VALUES[i] == value) {
        return TOS_NAMES[i];
      }
    }
    return null;
  }

  /**
   * tos: revision 0, ipt_tos_info { u8 tos; u8 invert; }; revision 1, xt_tos_match_info { u8
   * tos_mask, tos_value, invert; }. A symbolic name takes mask 0xff (rev 0) or 0x3f (rev 1).
   */
  static final class Tos extends AbstractXtExtension {
    Tos(int revision) {
      super(
          ExtensionKind.MATCH,
          "tos",
          revision,
          revision == 0 ? 2 : 3,
          List.of(
              XtOption.of("tos", XtOptionType.TOSMASK, 1, INV | MAND)
                  .withRange(0, revision == 0 ? 0xff : 0x3f)));
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      if (revision() == 0) {
        if (a.val(1) != 0xff) {
          throw RuleException.parameter(
              "tos: Your kernel is too old to support anything besides /0xFF as a mask.");
        }
        d.data().put(0, (byte) a.val(0));
        if (a.invert()) {
          d.data().put(1, (byte) 1);
        }
        return;
      }
      d.data().put(0, (byte) a.val(1)).put(1, (byte) a.val(0));
      if (a.invert()) {
        d.data().put(2, (byte) 1);
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      if (revision() == 0) {
        out.append(" tos match ").append(u8(d.data(), 1) != 0 ? "!" : "");
        String s = numeric ? null : tosSymbol(u8(d.data(), 0), 0x3f);
        out.append(s != null ? " " + s : String.format("0x%02x", u8(d.data(), 0)));
        return;
      }
      int mask = u8(d.data(), 0);
      int value = u8(d.data(), 1);
      // iptables prints no blank between "match" and the value here
      out.append(" tos match").append(u8(d.data(), 2) != 0 ? "!" : "");
      String s = numeric ? null : tosSymbol(value, mask);
      out.append(s != null ? " " + s : String.format("0x%02x/0x%02x", value, mask));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      if (revision() == 0) {
        out.append(u8(d.data(), 1) != 0 ? " !" : "");
        out.append(String.format(" --tos 0x%02x", u8(d.data(), 0)));
        return;
      }
      out.append(u8(d.data(), 2) != 0 ? " !" : "");
      out.append(String.format(" --tos 0x%02x/0x%02x", u8(d.data(), 1), u8(d.data(), 0)));
    }
  }

  /** xt_ecn_info { u8 operation, invert, ip_ect; u8 tcp ect; }. */
  static final class Ecn extends AbstractXtExtension {
    static final int IP = 0x01;
    static final int ECE = 0x10;
    static final int CWR = 0x20;

    Ecn() {
      super(
          ExtensionKind.MATCH,
          "ecn",
          0,
          4,
          List.of(
              XtOption.of("ecn-tcp-cwr", XtOptionType.NONE, 0, INV),
              XtOption.of("ecn-tcp-ece", XtOptionType.NONE, 1, INV),
              XtOption.of("ecn-ip-ect", XtOptionType.UINT8, 2, INV).withRange(0, 3)));
    }

    @Override
    public void parse(XtArg a, ExtData d) {
      int op = a.id() == 0 ? CWR : a.id() == 1 ? ECE : IP;
      d.data().put(0, (byte) (u8(d.data(), 0) | op));
      if (a.invert()) {
        d.data().put(1, (byte) (u8(d.data(), 1) | op));
      }
      if (op == IP) {
        d.data().put(2, (byte) a.val());
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("ECN match: some option required");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      int op = u8(d.data(), 0);
      int inv = u8(d.data(), 1);
      out.append(" ECN match");
      if ((op & ECE) != 0) {
        out.append(' ').append((inv & ECE) != 0 ? "!" : "").append("ECE");
      }
      if ((op & CWR) != 0) {
        out.append(' ').append((inv & CWR) != 0 ? "!" : "").append("CWR");
      }
      if ((op & IP) != 0) {
        out.append(' ').append((inv & IP) != 0 ? "!" : "").append("ECT=").append(u8(d.data(), 2));
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      int op = u8(d.data(), 0);
      int inv = u8(d.data(), 1);
      if ((op & ECE) != 0) {
        out.append((inv & ECE) != 0 ? " !" : "").append(" --ecn-tcp-ece");
      }
      if ((op & CWR) != 0) {
        out.append((inv & CWR) != 0 ? " !" : "").append(" --ecn-tcp-cwr");
      }
      if ((op & IP) != 0) {
        out.append((inv & IP) != 0 ? " !" : "").append(" --ecn-ip-ect ").append(u8(d.data(), 2));
      }
    }
  }
}

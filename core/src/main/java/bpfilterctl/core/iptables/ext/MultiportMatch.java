package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtPrint.u16;
import static bpfilterctl.core.iptables.ext.XtPrint.u8;
import static bpfilterctl.core.uapi.XtMultiportV1.DESTINATION;
import static bpfilterctl.core.uapi.XtMultiportV1.EITHER;
import static bpfilterctl.core.uapi.XtMultiportV1.MULTI_PORTS;
import static bpfilterctl.core.uapi.XtMultiportV1.SOURCE;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtMultiportV1;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * multiport (libxt_multiport.c): revision 0, struct xt_multiport {flags, count, ports[15]} (32
 * bytes), and revision 1, xt_multiport_v1 adding pflags[15] (ranges) and invert (48 bytes).
 */
public final class MultiportMatch extends AbstractXtExtension {

  private static final int ANY = 7;

  public static final List<XtExtension> ALL = List.of(new MultiportMatch(0), new MultiportMatch(1));

  private MultiportMatch(int revision) {
    super(
        ExtensionKind.MATCH,
        "multiport",
        revision,
        revision == 0 ? XtMultiportV1.SIZE_V0 : XtMultiportV1.SIZE,
        List.of(
            XtOption.of("source-ports", XtOptionType.STRING, 0, XtOption.INVERT).withExcl(ANY),
            XtOption.of("sports", XtOptionType.STRING, 0, XtOption.INVERT).withExcl(ANY),
            XtOption.of("destination-ports", XtOptionType.STRING, 1, XtOption.INVERT).withExcl(ANY),
            XtOption.of("dports", XtOptionType.STRING, 1, XtOption.INVERT).withExcl(ANY),
            XtOption.of("ports", XtOptionType.STRING, 2, XtOption.INVERT).withExcl(ANY)));
  }

  static String protoName(int proto) {
    return switch (proto) {
      case 6 -> "tcp";
      case 17 -> "udp";
      case 136 -> "udplite";
      case 132 -> "sctp";
      case 33 -> "dccp";
      default -> null;
    };
  }

  private static String checkProto(ExtData d) throws RuleException {
    String wrong = "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP";
    if ((d.ip().invflags() & IptIp.INV_PROTO) != 0) {
      throw RuleException.parameter(wrong);
    }
    String p = protoName(d.ip().proto());
    if (p != null) {
      return p;
    }
    if (d.ip().proto() == 0) {
      throw RuleException.parameter(
          "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'");
    }
    throw RuleException.parameter(wrong);
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    String proto = checkProto(d);
    String[] items = a.arg().split(",", -1);
    if (revision() == 0) {
      int i = 0;
      for (; i < items.length && i < MULTI_PORTS; i++) {
        b.putShort(2 + 2 * i, (short) Libxtables.servicePort(items[i], proto, d.lookups()));
      }
      if (i < items.length) {
        throw RuleException.parameter("too many ports specified");
      }
      b.put(1, (byte) i);
    } else {
      for (int k = 0; k < MULTI_PORTS; k++) {
        b.put(32 + k, (byte) 0);
      }
      int i = 0;
      int item = 0;
      for (; item < items.length && i < MULTI_PORTS; item++, i++) {
        String cp = items[item];
        int colon = cp.indexOf(':');
        if (colon >= 0 && i == MULTI_PORTS - 1) {
          throw RuleException.parameter("too many ports specified");
        }
        String lo = colon >= 0 ? cp.substring(0, colon) : cp;
        b.putShort(2 + 2 * i, (short) Libxtables.servicePort(lo, proto, d.lookups()));
        if (colon >= 0) {
          b.put(32 + i, (byte) 1);
          i++;
          b.putShort(
              2 + 2 * i,
              (short) Libxtables.servicePort(cp.substring(colon + 1), proto, d.lookups()));
          if (u16(b, 2 * i) >= u16(b, 2 + 2 * i)) {
            throw RuleException.parameter("invalid portrange specified");
          }
        }
      }
      b.put(1, (byte) i);
      if (item < items.length) {
        throw RuleException.parameter("too many ports specified");
      }
    }
    b.put(0, (byte) a.id());
    if (a.invert()) {
      if (revision() == 0) {
        throw RuleException.parameter("multiport.0 does not support invert");
      }
      b.put(47, (byte) 1);
    }
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (d.seen() == 0) {
      throw RuleException.parameter("multiport expection an option");
    }
  }

  private static String kindWord(int flags) {
    return switch (flags) {
      case SOURCE -> "sports";
      case DESTINATION -> "dports";
      case EITHER -> "ports";
      default -> null;
    };
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    String w = kindWord(u8(b, 0));
    out.append(" multiport ").append(w == null ? "ERROR" : w).append(' ');
    if (revision() == 1 && u8(b, 47) != 0) {
      out.append(" !");
    }
    ports(d, numeric, out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    if (revision() == 1 && u8(b, 47) != 0) {
      out.append(" !");
    }
    String w = kindWord(u8(b, 0));
    if (w != null) {
      out.append(" --").append(w).append(' ');
    }
    ports(d, true, out);
  }

  private void ports(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    String proto = protoName(d.ip().proto());
    int count = u8(b, 1);
    for (int i = 0; i < count && i < MULTI_PORTS; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append(XtPrint.port(u16(b, 2 + 2 * i), proto, numeric, d.lookups()));
      if (revision() == 1 && u8(b, 32 + i) != 0 && i + 1 < MULTI_PORTS) {
        i++;
        out.append(':').append(XtPrint.port(u16(b, 2 + 2 * i), proto, numeric, d.lookups()));
      }
    }
  }
}

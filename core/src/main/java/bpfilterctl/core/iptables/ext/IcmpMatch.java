package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtPrint.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptIcmp;
import java.nio.ByteBuffer;
import java.util.List;

/** icmp (libipt_icmp.c): struct ipt_icmp { type, code[2], invflags }, 4 bytes. */
public final class IcmpMatch extends AbstractXtExtension {

  /** A named ICMP type with its code range. */
  record Name(String name, int type, int codeMin, int codeMax) {}

  static final List<Name> CODES =
      List.of(
          new Name("any", 0xff, 0, 0xff),
          new Name("echo-reply", 0, 0, 0xff),
          new Name("pong", 0, 0, 0xff),
          new Name("destination-unreachable", 3, 0, 0xff),
          new Name("network-unreachable", 3, 0, 0),
          new Name("host-unreachable", 3, 1, 1),
          new Name("protocol-unreachable", 3, 2, 2),
          new Name("port-unreachable", 3, 3, 3),
          new Name("fragmentation-needed", 3, 4, 4),
          new Name("source-route-failed", 3, 5, 5),
          new Name("network-unknown", 3, 6, 6),
          new Name("host-unknown", 3, 7, 7),
          new Name("network-prohibited", 3, 9, 9),
          new Name("host-prohibited", 3, 10, 10),
          new Name("TOS-network-unreachable", 3, 11, 11),
          new Name("TOS-host-unreachable", 3, 12, 12),
          new Name("communication-prohibited", 3, 13, 13),
          new Name("host-precedence-violation", 3, 14, 14),
          new Name("precedence-cutoff", 3, 15, 15),
          new Name("source-quench", 4, 0, 0xff),
          new Name("redirect", 5, 0, 0xff),
          new Name("network-redirect", 5, 0, 0),
          new Name("host-redirect", 5, 1, 1),
          new Name("TOS-network-redirect", 5, 2, 2),
          new Name("TOS-host-redirect", 5, 3, 3),
          new Name("echo-request", 8, 0, 0xff),
          new Name("ping", 8, 0, 0xff),
          new Name("router-advertisement", 9, 0, 0xff),
          new Name("router-solicitation", 10, 0, 0xff),
          new Name("time-exceeded", 11, 0, 0xff),
          new Name("ttl-exceeded", 11, 0, 0xff),
          new Name("ttl-zero-during-transit", 11, 0, 0),
          new Name("ttl-zero-during-reassembly", 11, 1, 1),
          new Name("parameter-problem", 12, 0, 0xff),
          new Name("ip-header-bad", 12, 0, 0),
          new Name("required-option-missing", 12, 1, 1),
          new Name("timestamp-request", 13, 0, 0xff),
          new Name("timestamp-reply", 14, 0, 0xff),
          new Name("address-mask-request", 17, 0, 0xff),
          new Name("address-mask-reply", 18, 0, 0xff));

  /** Every ICMP type name --icmp-type accepts, in libipt_icmp's order. */
  public static List<String> typeNames() {
    return CODES.stream().map(Name::name).toList();
  }

  public static final IcmpMatch INSTANCE = new IcmpMatch();
  public static final List<XtExtension> ALL = List.of(INSTANCE);

  private IcmpMatch() {
    super(
        ExtensionKind.MATCH,
        "icmp",
        0,
        4,
        List.of(XtOption.of("icmp-type", XtOptionType.STRING, 0, XtOption.MAND | XtOption.INVERT)));
  }

  @Override
  public void init(ExtData d) {
    d.data().put(0, (byte) 0xff).put(2, (byte) 0xff);
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int[] tc = parseType(a.arg());
    b.put(0, (byte) tc[0]).put(1, (byte) tc[1]).put(2, (byte) tc[2]);
    if (a.invert()) {
      b.put(3, (byte) (u8(b, 3) | IptIcmp.INV));
    }
  }

  /** ipt_parse_icmp: a unique case-insensitive prefix of a name, or type[:type][/code[:code]]. */
  static int[] parseType(String s) throws RuleException {
    Name match = null;
    for (Name n : CODES) {
      if (n.name().length() < s.length()
          || !n.name().substring(0, s.length()).equalsIgnoreCase(s)) {
        continue;
      }
      if (match != null) {
        throw RuleException.parameter(
            "Ambiguous ICMP type `" + s + "': `" + match.name() + "' or `" + n.name() + "'?");
      }
      match = n;
    }
    if (match != null) {
      return new int[] {match.type(), match.codeMin(), match.codeMax()};
    }
    int[] type = new int[2];
    int next = range(s, 0, type);
    if (next < 0) {
      throw RuleException.parameter("Unknown ICMP type `" + s + "'");
    }
    int[] code = {0, 0xff};
    if (next < s.length()) {
      if (s.charAt(next) != '/') {
        throw RuleException.parameter("unknown character " + s.charAt(next));
      }
      next = range(s, next + 1, code);
      if (next < 0) {
        throw RuleException.parameter("Unknown ICMP code `" + s + "'");
      }
      if (next < s.length()) {
        throw RuleException.parameter("unknown character " + s.charAt(next));
      }
    }
    if (type[0] != type[1]) {
      throw RuleException.parameter("ICMP type range not supported");
    }
    return new int[] {type[0], code[0], code[1]};
  }

  /** parse_range: n[:m] of 0-255 from an index; the end index or -1. */
  private static int range(String s, int from, int[] res) {
    CNumbers.Parsed p = CNumbers.xtStrtoul(s, from, 0, 255);
    if (p == null) {
      return -1;
    }
    res[0] = res[1] = (int) p.value();
    int next = p.end();
    if (next < s.length() && s.charAt(next) == ':') {
      CNumbers.Parsed q = CNumbers.xtStrtoul(s, next + 1, 0, 255);
      if (q == null) {
        return -1;
      }
      res[1] = (int) q.value();
      next = q.end();
    }
    return next;
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int type = u8(b, 0);
    int lo = u8(b, 1);
    int hi = u8(b, 2);
    int inv = u8(b, 3);
    out.append(" icmp");
    boolean named = false;
    if (!numeric) {
      for (Name n : CODES) {
        if (n.type() == type && n.codeMin() == lo && n.codeMax() == hi) {
          out.append(' ').append((inv & IptIcmp.INV) != 0 ? "!" : "").append(n.name());
          named = true;
          break;
        }
      }
    }
    if (!named) {
      // iptables prints no blank between "!" or "icmp" and "type" here.
      if ((inv & IptIcmp.INV) != 0) {
        out.append(" !");
      }
      out.append("type ").append(type);
      if (lo == hi) {
        out.append(" code ").append(lo);
      } else if (lo != 0 || hi != 0xff) {
        out.append(" codes ").append(lo).append('-').append(hi);
      }
    }
    if ((inv & ~IptIcmp.INV) != 0) {
      out.append(String.format(" Unknown invflags: 0x%X", inv & ~IptIcmp.INV));
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int type = u8(b, 0);
    if ((u8(b, 3) & IptIcmp.INV) != 0) {
      out.append(" !");
    }
    if (type == 0xff) {
      out.append(" --icmp-type any");
    } else {
      out.append(" --icmp-type ").append(type);
      if (u8(b, 1) != 0 || u8(b, 2) != 0xff) {
        out.append('/').append(u8(b, 1));
      }
    }
  }
}

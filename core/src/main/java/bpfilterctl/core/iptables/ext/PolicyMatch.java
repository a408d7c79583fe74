package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * policy (libxt_policy.c): struct xt_policy_info { xt_policy_elem pol[4]; u16 flags, len; }, 308
 * bytes; each element holds saddr, smask, daddr, dmask (16 bytes each), be32 spi, u32 reqid, u8
 * proto, mode, and match/invert bit sets (saddr, daddr, proto, mode, spi, reqid from bit 0).
 */
public final class PolicyMatch extends AbstractXtExtension {
  static final int ELEM = 76;
  static final int MAX_ELEM = 4;
  static final int FLAGS = 304;
  static final int LEN = 306;
  static final int IN = 1;
  static final int OUT = 2;
  static final int NONE = 4;
  static final int STRICT = 8;
  static final int TRANSPORT = 0;
  static final int TUNNEL = 1;
  static final int SADDR = 1;
  static final int DADDR = 2;
  static final int PROTO = 4;
  static final int MODE = 8;
  static final int SPI = 16;
  static final int REQID = 32;

  static final int O_DIRECTION = 0;
  static final int O_POLICY = 1;
  static final int O_STRICT = 2;
  static final int O_REQID = 3;
  static final int O_SPI = 4;
  static final int O_PROTO = 5;
  static final int O_MODE = 6;
  static final int O_TUNNELSRC = 7;
  static final int O_TUNNELDST = 8;
  static final int O_NEXT = 9;

  public static final List<XtExtension> ALL = List.of(new PolicyMatch());

  private PolicyMatch() {
    super(ExtensionKind.MATCH, "policy", 0, 308, optionTable());
  }

  private static List<XtOption> optionTable() {
    int multi = XtOption.MULTI | XtOption.INVERT;
    return List.of(
        XtOption.of("dir", XtOptionType.STRING, O_DIRECTION, 0),
        XtOption.of("pol", XtOptionType.STRING, O_POLICY, 0),
        XtOption.of("strict", XtOptionType.NONE, O_STRICT, 0),
        XtOption.of("reqid", XtOptionType.UINT32, O_REQID, multi),
        XtOption.of("spi", XtOptionType.UINT32, O_SPI, multi),
        XtOption.of("tunnel-src", XtOptionType.HOSTMASK, O_TUNNELSRC, multi),
        XtOption.of("tunnel-dst", XtOptionType.HOSTMASK, O_TUNNELDST, multi),
        XtOption.of("proto", XtOptionType.PROTOCOL, O_PROTO, multi),
        XtOption.of("mode", XtOptionType.STRING, O_MODE, multi),
        XtOption.of("next", XtOptionType.NONE, O_NEXT, XtOption.MULTI).withAlso(1 << O_STRICT));
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int len = XtPrint.u16(b, LEN);
    int e = Math.min(len, MAX_ELEM - 1) * ELEM;
    int flags = XtPrint.u16(b, FLAGS);
    int match = XtPrint.u8(b, e + 74);
    int bit;
    switch (a.id()) {
      case O_DIRECTION -> {
        if (a.arg().equals("in")) {
          flags |= IN;
        } else if (a.arg().equals("out")) {
          flags |= OUT;
        } else {
          throw RuleException.parameter("policy_match: invalid dir \"" + a.arg() + "\"");
        }
        b.putShort(FLAGS, (short) flags);
        return;
      }
      case O_POLICY -> {
        if (a.arg().equals("none")) {
          flags |= NONE;
        } else if (!a.arg().equals("ipsec")) {
          throw RuleException.parameter("policy match: invalid policy \"" + a.arg() + "\"");
        }
        b.putShort(FLAGS, (short) flags);
        return;
      }
      case O_STRICT -> {
        b.putShort(FLAGS, (short) (flags | STRICT));
        return;
      }
      case O_NEXT -> {
        if (++len == MAX_ELEM) {
          throw RuleException.parameter("policy match: maximum policy depth reached");
        }
        b.putShort(LEN, (short) len);
        return;
      }
      case O_REQID -> {
        once(match, REQID, "reqid");
        b.putInt(e + 68, (int) a.val());
        bit = REQID;
      }
      case O_SPI -> {
        once(match, SPI, "spi");
        // declared __be32, but iptables stores the number as it is
        b.putInt(e + 64, (int) a.val());
        bit = SPI;
      }
      case O_TUNNELSRC, O_TUNNELDST -> {
        boolean src = a.id() == O_TUNNELSRC;
        once(match, src ? SADDR : DADDR, src ? "tunnel-src" : "tunnel-dst");
        int at = e + (src ? 0 : 32);
        b.put(at, a.inetAddr()).put(at + 16, a.inetMask());
        bit = src ? SADDR : DADDR;
      }
      case O_PROTO -> {
        once(match, PROTO, "proto");
        int p = (int) a.val();
        b.put(e + 72, (byte) p);
        if (p != 51 && p != 50 && p != 108) {
          throw RuleException.parameter("policy match: protocol must be ah/esp/ipcomp");
        }
        bit = PROTO;
      }
      default -> {
        once(match, MODE, "mode");
        int mode;
        if (a.arg().equals("transport")) {
          mode = TRANSPORT;
        } else if (a.arg().equals("tunnel")) {
          mode = TUNNEL;
        } else {
          throw RuleException.parameter("policy match: invalid mode \"" + a.arg() + "\"");
        }
        b.put(e + 73, (byte) mode);
        bit = MODE;
      }
    }
    b.put(e + 74, (byte) (match | bit));
    if (a.invert()) {
      b.put(e + 75, (byte) (XtPrint.u8(b, e + 75) | bit));
    }
  }

  private static void once(int match, int bit, String name) throws RuleException {
    if ((match & bit) != 0) {
      throw RuleException.parameter("policy match: double --" + name + " option");
    }
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int flags = XtPrint.u16(b, FLAGS);
    int len = XtPrint.u16(b, LEN);
    if ((flags & (IN | OUT)) == 0) {
      throw RuleException.parameter("policy match: neither --dir in nor --dir out specified");
    }
    if ((flags & NONE) != 0) {
      if ((flags & STRICT) != 0) {
        throw RuleException.parameter("policy match: policy none but --strict given");
      }
      if (len != 0) {
        throw RuleException.parameter("policy match: policy none but policy given");
      }
    } else {
      b.putShort(LEN, (short) ++len);
    }
    for (int i = 0; i < len; i++) {
      int e = i * ELEM;
      int match = XtPrint.u8(b, e + 74);
      int invert = XtPrint.u8(b, e + 75);
      int mode = XtPrint.u8(b, e + 73);
      if ((flags & STRICT) != 0 && match == 0) {
        throw RuleException.parameter(
            "policy match: empty policy element "
                + i
                + ". --strict is in effect, but at least one of reqid, spi, tunnel-src,"
                + " tunnel-dst, proto or mode is required.");
      }
      boolean invMode = (invert & MODE) != 0;
      if ((match & (SADDR | DADDR)) != 0
          && ((mode == TUNNEL && invMode) || (mode == TRANSPORT && !invMode))) {
        throw RuleException.parameter(
            "policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode");
      }
    }
  }

  private static void flags(ByteBuffer b, String prefix, StringBuilder out) {
    int flags = XtPrint.u16(b, FLAGS);
    out.append(' ').append(prefix).append((flags & IN) != 0 ? "dir in" : "dir out");
    out.append(' ').append(prefix).append((flags & NONE) != 0 ? "pol none" : "pol ipsec");
    if ((flags & STRICT) != 0) {
      out.append(' ').append(prefix).append("strict");
    }
  }

  private static void entry(ExtData d, int i, String prefix, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int e = i * ELEM;
    int match = XtPrint.u8(b, e + 74);
    int invert = XtPrint.u8(b, e + 75);
    if ((match & REQID) != 0) {
      out.append((invert & REQID) != 0 ? " !" : "");
      out.append(' ').append(prefix).append("reqid ").append(XtPrint.u32(b, e + 68));
    }
    if ((match & SPI) != 0) {
      out.append((invert & SPI) != 0 ? " !" : "");
      out.append(' ').append(prefix).append("spi ").append(XtPrint.hex(XtPrint.u32(b, e + 64)));
    }
    if ((match & PROTO) != 0) {
      out.append((invert & PROTO) != 0 ? " !" : "");
      int p = XtPrint.u8(b, e + 72);
      String name = numeric ? null : d.lookups().protocolName(p).orElse(null);
      out.append(' ').append(prefix).append("proto ").append(name != null ? name : p);
    }
    if ((match & MODE) != 0) {
      out.append((invert & MODE) != 0 ? " !" : "");
      int mode = XtPrint.u8(b, e + 73);
      out.append(' ')
          .append(prefix)
          .append("mode ")
          .append(mode == TRANSPORT ? "transport" : mode == TUNNEL ? "tunnel" : "???");
    }
    if ((match & DADDR) != 0) {
      out.append((invert & DADDR) != 0 ? " !" : "");
      out.append(' ').append(prefix).append("tunnel-dst ");
      out.append(XtPrint.ip(XtPrint.be32(b, e + 32))).append(XtPrint.mask(XtPrint.be32(b, e + 48)));
    }
    if ((match & SADDR) != 0) {
      out.append((invert & SADDR) != 0 ? " !" : "");
      out.append(' ').append(prefix).append("tunnel-src ");
      out.append(XtPrint.ip(XtPrint.be32(b, e))).append(XtPrint.mask(XtPrint.be32(b, e + 16)));
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int len = Math.min(XtPrint.u16(b, LEN), MAX_ELEM);
    out.append(" policy match");
    flags(b, "", out);
    for (int i = 0; i < len; i++) {
      if (len > 1) {
        out.append(" [").append(i).append(']');
      }
      entry(d, i, "", numeric, out);
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int len = Math.min(XtPrint.u16(b, LEN), MAX_ELEM);
    flags(b, "--", out);
    for (int i = 0; i < len; i++) {
      entry(d, i, "--", false, out);
      if (i + 1 < len) {
        out.append(" --next");
      }
    }
  }
}

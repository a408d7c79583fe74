package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * The ipvs match (libxt_ipvs.c), struct xt_ipvs_mtinfo, 40 bytes: {@code vaddr} and {@code vmask}
 * (16-byte nf_inet_addr, IPv4 in the first 4), {@code __be16 vport} at 32, {@code u8 l4proto} at
 * 34, {@code u8 fwd_method} at 35, {@code __be16 vportctl} at 36, {@code u8 invert} at 38 and
 * {@code u8 bitmask} at 39. Option ids are the bitmask's bit numbers.
 */
final class IpvsMatch extends AbstractXtExtension {
  static final IpvsMatch INSTANCE = new IpvsMatch();

  static final int IPVS_PROPERTY = 1;
  static final int PROTO = 1 << 1;
  static final int VADDR = 1 << 2;
  static final int VPORT = 1 << 3;
  static final int DIR = 1 << 4;
  static final int METHOD = 1 << 5;
  static final int VPORTCTL = 1 << 6;
  static final int ONCE_MASK = 0x7f & ~IPVS_PROPERTY;

  /** IP_VS_CONN_F_* forwarding methods. */
  static final int F_MASQ = 0;

  static final int F_TUNNEL = 2;
  static final int F_DROUTE = 3;

  private static final int O_IPVS = 0;
  private static final int O_VPROTO = 1;
  private static final int O_VADDR = 2;
  private static final int O_VPORT = 3;
  private static final int O_VDIR = 4;
  private static final int O_VMETHOD = 5;
  private static final int O_VPORTCTL = 6;

  private static final int OFF_VMASK = 16;
  private static final int OFF_VPORT = 32;
  private static final int OFF_L4PROTO = 34;
  private static final int OFF_FWD_METHOD = 35;
  private static final int OFF_VPORTCTL = 36;
  private static final int OFF_INVERT = 38;
  private static final int OFF_BITMASK = 39;

  private static final int INV = XtOption.INVERT;

  private IpvsMatch() {
    super(
        ExtensionKind.MATCH,
        "ipvs",
        0,
        40,
        List.of(
            XtOption.of("ipvs", XtOptionType.NONE, O_IPVS, INV),
            XtOption.of("vproto", XtOptionType.PROTOCOL, O_VPROTO, INV),
            XtOption.of("vaddr", XtOptionType.HOSTMASK, O_VADDR, INV),
            XtOption.of("vport", XtOptionType.PORT, O_VPORT, INV | XtOption.NBO),
            XtOption.of("vdir", XtOptionType.STRING, O_VDIR, 0),
            XtOption.of("vmethod", XtOptionType.STRING, O_VMETHOD, INV),
            XtOption.of("vportctl", XtOptionType.PORT, O_VPORTCTL, INV | XtOption.NBO)));
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int bitmask = b.get(OFF_BITMASK) & 0xff;
    int invert = b.get(OFF_INVERT) & 0xff;
    switch (arg.id()) {
      case O_VPROTO -> b.put(OFF_L4PROTO, (byte) arg.val());
      case O_VADDR -> {
        // libxtables copies whole nf_inet_addrs; a plain host's mask is 16 bytes of ones.
        b.put(0, arg.inetAddr());
        b.put(OFF_VMASK, arg.inetMask());
      }
      case O_VPORT -> putBe16(b, OFF_VPORT, (int) arg.val());
      case O_VPORTCTL -> putBe16(b, OFF_VPORTCTL, (int) arg.val());
      case O_VDIR -> {
        if (arg.arg().equalsIgnoreCase("ORIGINAL")) {
          bitmask |= DIR;
          invert &= ~DIR;
        } else if (arg.arg().equalsIgnoreCase("REPLY")) {
          bitmask |= DIR;
          invert |= DIR;
        } else {
          throw badValue("--vdir", arg.arg());
        }
      }
      case O_VMETHOD -> {
        int method =
            switch (arg.arg().toUpperCase(Locale.ROOT)) {
              case "GATE" -> F_DROUTE;
              case "IPIP" -> F_TUNNEL;
              case "MASQ" -> F_MASQ;
              default -> throw badValue("--vmethod", arg.arg());
            };
        b.put(OFF_FWD_METHOD, (byte) method);
      }
      default -> {}
    }
    bitmask |= 1 << arg.id();
    if (arg.invert()) {
      invert |= 1 << arg.id();
    }
    b.put(OFF_BITMASK, (byte) bitmask);
    b.put(OFF_INVERT, (byte) invert);
  }

  private static RuleException badValue(String option, String value) {
    return RuleException.parameter(
        "ipvs: Bad value for \"" + option + "\" option: \"" + value + "\"");
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    if (d.seen() == 0) {
      throw RuleException.parameter("IPVS: At least one option is required");
    }
    int bitmask = b.get(OFF_BITMASK) & 0xff;
    if ((bitmask & ONCE_MASK) != 0) {
      if ((b.get(OFF_INVERT) & IPVS_PROPERTY) != 0) {
        throw RuleException.parameter("! --ipvs cannot be together with other options");
      }
      b.put(OFF_BITMASK, (byte) (bitmask | IPVS_PROPERTY));
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    dump(d.data(), numeric, "", out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    dump(d.data(), true, "--", out);
  }

  private static void dump(ByteBuffer b, boolean numeric, String prefix, StringBuilder out) {
    int bitmask = b.get(OFF_BITMASK) & 0xff;
    int invert = b.get(OFF_INVERT) & 0xff;
    if (bitmask == IPVS_PROPERTY) {
      out.append((invert & IPVS_PROPERTY) != 0 ? " !" : "").append(' ').append(prefix);
      out.append("ipvs");
    }
    if ((bitmask & PROTO) != 0) {
      out.append((invert & PROTO) != 0 ? " !" : "").append(' ').append(prefix);
      out.append("vproto ").append(b.get(OFF_L4PROTO) & 0xff);
    }
    if ((bitmask & VADDR) != 0) {
      out.append((invert & VADDR) != 0 ? " !" : "").append(' ').append(prefix).append("vaddr");
      int addr = Integer.reverseBytes(b.getInt(0));
      int mask = Integer.reverseBytes(b.getInt(OFF_VMASK));
      if (!numeric && addr == 0) {
        out.append(" anywhere");
      } else {
        long a = Integer.toUnsignedLong(addr);
        out.append(' ').append(numeric ? XtPrint.ip(a) : XtPrint.anyName(a));
        out.append(XtPrint.mask(Integer.toUnsignedLong(mask)));
      }
    }
    if ((bitmask & VPORT) != 0) {
      out.append((invert & VPORT) != 0 ? " !" : "").append(' ').append(prefix);
      out.append("vport ").append(beShort(b, OFF_VPORT));
    }
    if ((bitmask & DIR) != 0) {
      out.append(' ').append(prefix).append("vdir ");
      out.append((invert & DIR) != 0 ? "REPLY" : "ORIGINAL");
    }
    if ((bitmask & METHOD) != 0) {
      out.append((invert & METHOD) != 0 ? " !" : "").append(' ').append(prefix).append("vmethod");
      out.append(
          switch (b.get(OFF_FWD_METHOD) & 0xff) {
            case F_DROUTE -> " GATE";
            case F_TUNNEL -> " IPIP";
            case F_MASQ -> " MASQ";
            default -> " UNKNOWN";
          });
    }
    if ((bitmask & VPORTCTL) != 0) {
      out.append((invert & VPORTCTL) != 0 ? " !" : "").append(' ').append(prefix);
      out.append("vportctl ").append(beShort(b, OFF_VPORTCTL));
    }
  }

  private static void putBe16(ByteBuffer b, int off, int v) {
    b.put(off, (byte) (v >>> 8));
    b.put(off + 1, (byte) v);
  }

  private static int beShort(ByteBuffer b, int off) {
    return ((b.get(off) & 0xff) << 8) | (b.get(off + 1) & 0xff);
  }
}

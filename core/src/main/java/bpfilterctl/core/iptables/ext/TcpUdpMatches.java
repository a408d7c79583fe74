package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtPrint.u16;
import static bpfilterctl.core.iptables.ext.XtPrint.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/** tcp and udp (libxt_tcp.c, libxt_udp.c): struct xt_tcp / xt_udp, ports in host order. */
public final class TcpUdpMatches {
  private TcpUdpMatches() {}

  static final int INV_SRCPT = 0x01;
  static final int INV_DSTPT = 0x02;
  static final int INV_FLAGS = 0x04;
  static final int INV_OPTION = 0x08;

  /** Old-style options check themselves: no generic once/invert checks. */
  private static final int OLD = XtOption.MULTI | XtOption.INVERT;

  private static final String[] FLAG_NAMES = {
    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ALL", "NONE"
  };
  private static final int[] FLAG_BITS = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x3f, 0};

  public static final XtExtension TCP = new Tcp();
  public static final XtExtension UDP = new Udp();
  public static final List<XtExtension> ALL = List.of(TCP, UDP);

  /** struct xt_tcp: spts[2], dpts[2], option, flg_mask, flg_cmp, invflags. 12 bytes. */
  static final class Tcp extends AbstractXtExtension {
    static final int SRC = 0;
    static final int DST = 1;
    static final int FLAGS = 2;
    static final int OPTION = 3;

    Tcp() {
      super(
          ExtensionKind.MATCH,
          "tcp",
          0,
          12,
          List.of(
              XtOption.of("source-port", XtOptionType.STRING, 0, OLD),
              XtOption.of("sport", XtOptionType.STRING, 0, OLD),
              XtOption.of("destination-port", XtOptionType.STRING, 1, OLD),
              XtOption.of("dport", XtOptionType.STRING, 1, OLD),
              XtOption.of("syn", XtOptionType.NONE, 2, OLD),
              XtOption.of("tcp-flags", XtOptionType.STRING, 3, OLD | XtOption.NEXT_WORD),
              XtOption.of("tcp-option", XtOptionType.STRING, 4, OLD)));
    }

    @Override
    public void init(ExtData d) {
      d.data().putShort(2, (short) 0xffff).putShort(6, (short) 0xffff);
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      int flags = d.scratch();
      int inv = u8(b, 11);
      switch (a.id()) {
        case 0, 1 -> {
          boolean src = a.id() == 0;
          if ((flags & (1 << (src ? SRC : DST))) != 0) {
            throw RuleException.parameter(
                "Only one `--" + (src ? "source" : "destination") + "-port' allowed");
          }
          ports(a.arg(), b, src ? 0 : 4, d.lookups());
          if (a.invert()) {
            inv |= src ? INV_SRCPT : INV_DSTPT;
          }
          flags |= 1 << (src ? SRC : DST);
        }
        case 2, 3 -> {
          if ((flags & (1 << FLAGS)) != 0) {
            throw RuleException.parameter("Only one of `--syn' or `--tcp-flags'  allowed");
          }
          String mask = "SYN,RST,ACK,FIN";
          String cmp = "SYN";
          if (a.id() == 3) {
            int nul = a.arg().indexOf('\0');
            if (nul < 0) {
              throw RuleException.parameter("--tcp-flags requires two args.");
            }
            mask = a.arg().substring(0, nul);
            cmp = a.arg().substring(nul + 1);
          }
          b.put(9, (byte) flagBits(mask));
          b.put(10, (byte) flagBits(cmp));
          if (a.invert()) {
            inv |= INV_FLAGS;
          }
          flags |= 1 << FLAGS;
        }
        default -> {
          if ((flags & (1 << OPTION)) != 0) {
            throw RuleException.parameter("Only one `--tcp-option' allowed");
          }
          Long o = CNumbers.xtStrtoulStrict(a.arg(), 1, 0xff);
          if (o == null) {
            throw RuleException.parameter("Bad TCP option \"" + a.arg() + "\"");
          }
          b.put(8, o.byteValue());
          if (a.invert()) {
            inv |= INV_OPTION;
          }
          flags |= 1 << OPTION;
        }
      }
      b.put(11, (byte) inv);
      d.scratch(flags);
    }

    /** parse_tcp_ports: "a", "a:b", ":b", "a:" with names of tcp services. */
    private static void ports(String s, ByteBuffer b, int at, Lookups l) throws RuleException {
      int colon = s.indexOf(':');
      int lo;
      int hi;
      if (colon < 0) {
        lo = hi = Libxtables.servicePort(s, "tcp", l);
      } else {
        String a = s.substring(0, colon);
        String z = s.substring(colon + 1);
        lo = a.isEmpty() ? 0 : Libxtables.servicePort(a, "tcp", l);
        hi = z.isEmpty() ? 0xffff : Libxtables.servicePort(z, "tcp", l);
        if (lo > hi) {
          throw RuleException.parameter("invalid portrange (min > max)");
        }
      }
      b.putShort(at, (short) lo).putShort(at + 2, (short) hi);
    }

    private static int flagBits(String list) throws RuleException {
      int bits = 0;
      for (String f : list.split(",")) {
        if (f.isEmpty()) {
          continue; // strtok skips empty fields
        }
        int i = 0;
        while (i < FLAG_NAMES.length && !FLAG_NAMES[i].equalsIgnoreCase(f)) {
          i++;
        }
        if (i == FLAG_NAMES.length) {
          throw RuleException.parameter("Unknown TCP flag `" + f + "'");
        }
        bits |= FLAG_BITS[i];
      }
      return bits;
    }

    static String flagNames(int flags) {
      StringBuilder s = new StringBuilder();
      // Bits 0x40 and 0x80 have no name (iptables' print_tcpf reads past its table for them):
      // they are shown in hex after the named ones.
      int unnamed = flags & 0xc0;
      int f = flags & 0x3f;
      while (f != 0) {
        int i = 0;
        while ((f & FLAG_BITS[i]) == 0) {
          i++;
        }
        if (s.length() > 0) {
          s.append(',');
        }
        s.append(FLAG_NAMES[i]);
        f &= ~FLAG_BITS[i];
      }
      if (unnamed != 0) {
        s.append(s.length() > 0 ? "," : "").append(String.format("0x%02x", unnamed));
      }
      return s.length() == 0 ? "NONE" : s.toString();
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      int inv = u8(b, 11);
      out.append(" tcp");
      printPorts(out, "spt", u16(b, 0), u16(b, 2), (inv & INV_SRCPT) != 0, numeric, "tcp", d);
      printPorts(out, "dpt", u16(b, 4), u16(b, 6), (inv & INV_DSTPT) != 0, numeric, "tcp", d);
      int option = u8(b, 8);
      if (option != 0 || (inv & INV_OPTION) != 0) {
        out.append(" option=").append((inv & INV_OPTION) != 0 ? "!" : "").append(option);
      }
      int mask = u8(b, 9);
      int cmp = u8(b, 10);
      if (mask != 0 || (inv & INV_FLAGS) != 0) {
        out.append(" flags:").append((inv & INV_FLAGS) != 0 ? "!" : "");
        if (numeric) {
          out.append(String.format("0x%02X/0x%02X", mask, cmp));
        } else {
          out.append(flagNames(mask)).append('/').append(flagNames(cmp));
        }
      }
      if ((inv & ~0x0f) != 0) {
        out.append(String.format(" Unknown invflags: 0x%X", inv & ~0x0f));
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      int inv = u8(b, 11);
      savePorts(out, "sport", u16(b, 0), u16(b, 2), (inv & INV_SRCPT) != 0);
      savePorts(out, "dport", u16(b, 4), u16(b, 6), (inv & INV_DSTPT) != 0);
      int option = u8(b, 8);
      if (option != 0 || (inv & INV_OPTION) != 0) {
        out.append((inv & INV_OPTION) != 0 ? " !" : "").append(" --tcp-option ").append(option);
      }
      int mask = u8(b, 9);
      if (mask != 0 || (inv & INV_FLAGS) != 0) {
        out.append((inv & INV_FLAGS) != 0 ? " !" : "")
            .append(" --tcp-flags ")
            .append(flagNames(mask))
            .append(' ')
            .append(flagNames(u8(b, 10)));
      }
    }
  }

  /** struct xt_udp: spts[2], dpts[2], invflags. 10 bytes. */
  static final class Udp extends AbstractXtExtension {
    Udp() {
      super(
          ExtensionKind.MATCH,
          "udp",
          0,
          10,
          List.of(
              XtOption.of("source-port", XtOptionType.PORTRC, 0, XtOption.INVERT),
              XtOption.of("sport", XtOptionType.PORTRC, 0, XtOption.INVERT),
              XtOption.of("destination-port", XtOptionType.PORTRC, 1, XtOption.INVERT),
              XtOption.of("dport", XtOptionType.PORTRC, 1, XtOption.INVERT)));
    }

    @Override
    public void init(ExtData d) {
      d.data().putShort(2, (short) 0xffff).putShort(6, (short) 0xffff);
    }

    @Override
    public void parse(XtArg a, ExtData d) {
      ByteBuffer b = d.data();
      int at = a.id() == 0 ? 0 : 4;
      b.putShort(at, (short) a.val(0)).putShort(at + 2, (short) a.val(1));
      if (a.invert()) {
        b.put(8, (byte) (u8(b, 8) | (a.id() == 0 ? INV_SRCPT : INV_DSTPT)));
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      int inv = u8(b, 8);
      out.append(" udp");
      printPorts(out, "spt", u16(b, 0), u16(b, 2), (inv & INV_SRCPT) != 0, numeric, "udp", d);
      printPorts(out, "dpt", u16(b, 4), u16(b, 6), (inv & INV_DSTPT) != 0, numeric, "udp", d);
      if ((inv & ~0x03) != 0) {
        out.append(String.format(" Unknown invflags: 0x%X", inv & ~0x03));
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      int inv = u8(b, 8);
      savePorts(out, "sport", u16(b, 0), u16(b, 2), (inv & INV_SRCPT) != 0);
      savePorts(out, "dport", u16(b, 4), u16(b, 6), (inv & INV_DSTPT) != 0);
    }
  }

  static void printPorts(
      StringBuilder out,
      String name,
      int min,
      int max,
      boolean invert,
      boolean numeric,
      String proto,
      ExtData d) {
    if (min == 0 && max == 0xffff && !invert) {
      return;
    }
    String inv = invert ? "!" : "";
    out.append(' ').append(name);
    if (min == max) {
      out.append(':').append(inv).append(XtPrint.port(min, proto, numeric, d.lookups()));
    } else {
      out.append("s:")
          .append(inv)
          .append(XtPrint.port(min, proto, numeric, d.lookups()))
          .append(':')
          .append(XtPrint.port(max, proto, numeric, d.lookups()));
    }
  }

  static void savePorts(StringBuilder out, String name, int min, int max, boolean invert) {
    if (min == 0 && max == 0xffff) {
      return;
    }
    out.append(invert ? " !" : "").append(" --").append(name).append(' ').append(min);
    if (min != max) {
      out.append(':').append(max);
    }
  }
}

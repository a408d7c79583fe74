package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.getBe16;
import static bpfilterctl.core.iptables.ext.XtText.getBe32;
import static bpfilterctl.core.iptables.ext.XtText.hex;
import static bpfilterctl.core.iptables.ext.XtText.putBe16;
import static bpfilterctl.core.iptables.ext.XtText.putBe32;
import static bpfilterctl.core.iptables.ext.XtText.u16;
import static bpfilterctl.core.iptables.ext.XtText.u32;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.Ipv4;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * HMARK (libxt_HMARK, IPv4): struct xt_hmark_info { nf_inet_addr src_mask, dst_mask; hmark_ports
 * port_mask, port_set; u32 flags; u16 proto_mask; u32 hashrnd, hmodulus, hoffset; }. The option ids
 * are also the flag bits (XT_HMARK_*), except the tuple list (13).
 */
final class HmarkTargetCodec extends AbstractXtExtension {
  static final List<XtExtension> ALL = List.of(new HmarkTargetCodec());

  private static final int SADDR_MASK = 0;
  private static final int DADDR_MASK = 1;
  private static final int SPI = 2;
  private static final int SPI_MASK = 3;
  private static final int SPORT = 4;
  private static final int DPORT = 5;
  private static final int SPORT_MASK = 6;
  private static final int DPORT_MASK = 7;
  private static final int PROTO_MASK = 8;
  private static final int RND = 9;
  private static final int MODULUS = 10;
  private static final int OFFSET = 11;
  private static final int CT = 12;
  private static final int TYPE = 13;

  private static final int PKT_OPTIONS =
      1 << SADDR_MASK
          | 1 << DADDR_MASK
          | 1 << SPI_MASK
          | 1 << SPORT_MASK
          | 1 << DPORT_MASK
          | 1 << PROTO_MASK
          | 1 << SPORT
          | 1 << DPORT
          | 1 << SPI;

  private static final int SRC = 0;
  private static final int DST = 16;
  private static final int PORT_MASK = 32;
  private static final int PORT_SET = 36;
  private static final int FLAGS = 40;
  private static final int PROTO = 44;
  private static final int HASHRND = 48;
  private static final int HMODULUS = 52;
  private static final int HOFFSET = 56;

  private HmarkTargetCodec() {
    super(
        ExtensionKind.TARGET,
        "HMARK",
        0,
        60,
        List.of(
            XtOption.of("hmark-tuple", XtOptionType.STRING, TYPE),
            XtOption.of("hmark-src-prefix", XtOptionType.PLENMASK, SADDR_MASK),
            XtOption.of("hmark-dst-prefix", XtOptionType.PLENMASK, DADDR_MASK),
            XtOption.of("hmark-sport-mask", XtOptionType.UINT16, SPORT_MASK),
            XtOption.of("hmark-dport-mask", XtOptionType.UINT16, DPORT_MASK),
            XtOption.of("hmark-spi-mask", XtOptionType.UINT32, SPI_MASK),
            XtOption.of("hmark-sport", XtOptionType.UINT16, SPORT),
            XtOption.of("hmark-dport", XtOptionType.UINT16, DPORT),
            XtOption.of("hmark-spi", XtOptionType.UINT32, SPI),
            XtOption.of("hmark-proto-mask", XtOptionType.UINT16, PROTO_MASK),
            XtOption.of("hmark-rnd", XtOptionType.UINT32, RND),
            XtOption.of("hmark-mod", XtOptionType.UINT32, MODULUS).withRange(1, 0),
            XtOption.of("hmark-offset", XtOptionType.UINT32, OFFSET)));
  }

  private static void setFlag(ByteBuffer b, int flag) {
    b.putInt(FLAGS, b.getInt(FLAGS) | 1 << flag);
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int v = (int) arg.val();
    switch (arg.id()) {
      case TYPE -> parseTuple(arg.arg(), d);
      case SADDR_MASK, DADDR_MASK -> b.put(arg.id() == SADDR_MASK ? SRC : DST, arg.mask(), 0, 4);
      case SPI -> putBe32(b, PORT_SET, v);
      case SPORT -> putBe16(b, PORT_SET, v);
      case DPORT -> putBe16(b, PORT_SET + 2, v);
      case SPORT_MASK -> putBe16(b, PORT_MASK, v);
      case DPORT_MASK -> putBe16(b, PORT_MASK + 2, v);
      case SPI_MASK -> putBe32(b, PORT_MASK, v);
      case PROTO_MASK -> b.putShort(PROTO, (short) v);
      case RND -> b.putInt(HASHRND, v);
      case MODULUS -> b.putInt(HMODULUS, v);
      case OFFSET -> b.putInt(HOFFSET, v);
      default -> {}
    }
    if (arg.id() != TYPE) {
      setFlag(b, arg.id());
    }
  }

  /** --hmark-tuple ct,src,dst,sport,dport,spi,proto: each word may be abbreviated. */
  private static void parseTuple(String list, ExtData d) throws RuleException {
    String rest = list;
    int comma;
    while ((comma = rest.indexOf(',')) >= 0) {
      if (comma == 0 || !tupleWord(rest.substring(0, comma), d)) {
        throw RuleException.parameter("Bad type \"" + rest + "\"");
      }
      rest = rest.substring(comma + 1);
    }
    if (rest.isEmpty()) {
      throw RuleException.parameter(
          "\"--hmark-tuple\" requires a list of types with no spaces, e.g. "
              + "src,dst,sport,dport,proto");
    }
    if (!tupleWord(rest, d)) {
      throw RuleException.parameter("Bad type \"" + rest + "\"");
    }
  }

  private static final byte[] ALL_ONES = {
    -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1
  };

  private static final String[] WORDS = {"ct", "src", "dst", "sport", "dport", "proto", "spi"};
  private static final int[] WORD_FLAGS = {
    CT, SADDR_MASK, DADDR_MASK, SPORT_MASK, DPORT_MASK, PROTO_MASK, SPI_MASK
  };

  /** strncasecmp(word, type, len): the type need only start the word, in this order. */
  private static boolean tupleWord(String type, ExtData d) {
    ByteBuffer b = d.data();
    for (int i = 0; i < WORDS.length; i++) {
      String w = WORDS[i];
      if (type.length() <= w.length() && w.regionMatches(true, 0, type, 0, type.length())) {
        int flag = WORD_FLAGS[i];
        switch (flag) {
          case SADDR_MASK -> b.put(SRC, ALL_ONES); // the whole nf_inet_addr, as memset does
          case DADDR_MASK -> b.put(DST, ALL_ONES);
          case SPORT_MASK -> b.putShort(PORT_MASK, (short) -1);
          case DPORT_MASK -> b.putShort(PORT_MASK + 2, (short) -1);
          case PROTO_MASK -> b.putShort(PROTO, (short) -1);
          case SPI_MASK -> b.putInt(PORT_MASK, -1);
          default -> {}
        }
        setFlag(b, flag);
        d.markSeen(flag); // as libxt_HMARK marks the word's option as given
        return true;
      }
    }
    return false;
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    int seen = d.seen();
    if ((seen & 1 << MODULUS) == 0) {
      throw RuleException.parameter("--hmark-mod is mandatory");
    }
    if ((seen & 1 << RND) == 0) {
      throw RuleException.parameter("--hmark-rnd is mandatory");
    }
    if ((seen & 1 << SPI_MASK) != 0 && (seen & XtOption.mask(SPORT_MASK, DPORT_MASK)) != 0) {
      throw RuleException.parameter(
          "you cannot use --hmark-spi-mask and --hmark-?port-mask,at the same time");
    }
    if ((seen & PKT_OPTIONS) == 0 && (seen & 1 << CT) == 0) {
      throw RuleException.parameter("you have to specify --hmark-tuple at least");
    }
  }

  /** xtables_ipmask_to_cidr: the prefix length, or -1 for a mask with holes. */
  private static int cidr(ByteBuffer b, int at) {
    return Ipv4.prefixLength(getBe32(b, at));
  }

  private static boolean has(ByteBuffer b, int flag) {
    return (b.getInt(FLAGS) & 1 << flag) != 0;
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    out.append(" HMARK ");
    if (has(b, MODULUS)) {
      out.append("mod ").append(u32(b, HMODULUS)).append(' ');
    }
    if (has(b, OFFSET)) {
      out.append("+ 0x").append(hex(b.getInt(HOFFSET))).append(' ');
    }
    if (has(b, CT)) {
      out.append("ct, ");
    }
    if (has(b, SADDR_MASK)) {
      out.append("src-prefix ").append(Integer.toUnsignedString(cidr(b, SRC))).append(' ');
    }
    if (has(b, DADDR_MASK)) {
      out.append("dst-prefix ").append(Integer.toUnsignedString(cidr(b, DST))).append(' ');
    }
    appendPortsAndRest(b, false, out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    if (has(b, SADDR_MASK)) {
      out.append(" --hmark-src-prefix ").append(cidr(b, SRC));
    }
    if (has(b, DADDR_MASK)) {
      out.append(" --hmark-dst-prefix ").append(cidr(b, DST));
    }
    appendPortsAndRest(b, true, out);
  }

  private static void appendPortsAndRest(ByteBuffer b, boolean save, StringBuilder out) {
    item(b, SPORT_MASK, save, "sport-mask", getBe16(b, PORT_MASK), 4, out);
    item(b, DPORT_MASK, save, "dport-mask", getBe16(b, PORT_MASK + 2), 4, out);
    item(b, SPI_MASK, save, "spi-mask", Integer.toUnsignedLong(getBe32(b, PORT_MASK)), 8, out);
    item(b, SPORT, save, "sport", getBe16(b, PORT_SET), 4, out);
    item(b, DPORT, save, "dport", getBe16(b, PORT_SET + 2), 4, out);
    item(b, SPI, save, "spi", Integer.toUnsignedLong(getBe32(b, PORT_SET)), 8, out);
    item(b, PROTO_MASK, save, "proto-mask", u16(b, PROTO), 2, out);
    item(b, RND, save, "rnd", u32(b, HASHRND), 8, out);
    if (save) {
      if (has(b, MODULUS)) {
        out.append(" --hmark-mod ").append(u32(b, HMODULUS));
      }
      if (has(b, OFFSET)) {
        out.append(" --hmark-offset ").append(u32(b, HOFFSET));
      }
      if (has(b, CT)) {
        out.append(" --hmark-tuple ct");
      }
    }
  }

  /** -L: "name 0x%x "; save: " --hmark-name 0x%0{width}x". */
  private static void item(
      ByteBuffer b, int flag, boolean save, String name, long v, int width, StringBuilder out) {
    if (!has(b, flag)) {
      return;
    }
    if (save) {
      out.append(" --hmark-").append(name).append(' ');
      out.append(String.format("0x%0" + width + "x", v));
    } else {
      out.append(name).append(" 0x").append(Long.toHexString(v)).append(' ');
    }
  }
}

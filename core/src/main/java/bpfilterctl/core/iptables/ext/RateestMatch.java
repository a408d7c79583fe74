package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The rateest match (libxt_rateest.c, iptables' old parse API), struct xt_rateest_match_info, 72
 * bytes: {@code char name1[16], name2[16]}, {@code u16 flags} at 32, {@code u16 mode} at 34, {@code
 * u32 bps1, pps1, bps2, pps2} at 36..51, two kernel pointers at 56. Rates are stored in bytes per
 * second.
 *
 * <p>--rateest-bps1/pps1/bps2/pps2 take an optional value: the next word, unless it starts with '-'
 * or '!' ({@link ExtData#following()}).
 */
final class RateestMatch extends AbstractXtExtension {
  static final RateestMatch INSTANCE = new RateestMatch();

  static final int F_INVERT = 1;
  static final int F_ABS = 1 << 1;
  static final int F_REL = 1 << 2;
  static final int F_DELTA = 1 << 3;
  static final int F_BPS = 1 << 4;
  static final int F_PPS = 1 << 5;

  static final int MODE_EQ = 1;
  static final int MODE_LT = 2;
  static final int MODE_GT = 3;

  private static final int NAME_SIZE = 16;
  private static final int OFF_NAME2 = 16;
  private static final int OFF_FLAGS = 32;
  private static final int OFF_MODE = 34;
  private static final int OFF_BPS1 = 36;
  private static final int OFF_PPS1 = 40;
  private static final int OFF_BPS2 = 44;
  private static final int OFF_PPS2 = 48;

  private static final int O_RATEEST1 = 0;
  private static final int O_RATEEST2 = 1;
  private static final int O_BPS1 = 2;
  private static final int O_PPS1 = 3;
  private static final int O_BPS2 = 4;
  private static final int O_PPS2 = 5;
  private static final int O_DELTA = 6;
  private static final int O_LT = 7;
  private static final int O_GT = 8;
  private static final int O_EQ = 9;

  private static final int OLD_STYLE = XtOption.INVERT | XtOption.MULTI;
  private static final int WITH_RATE = OLD_STYLE | XtOption.NEXT_WORD;

  /** iproute2's rate units, in bits per second each. */
  private record Unit(String name, double scale) {}

  private static final List<Unit> UNITS =
      List.of(
          new Unit("bit", 1.),
          new Unit("Kibit", 1024.),
          new Unit("kbit", 1000.),
          new Unit("Mibit", 1024. * 1024.),
          new Unit("mbit", 1000000.),
          new Unit("Gibit", 1024. * 1024. * 1024.),
          new Unit("gbit", 1000000000.),
          new Unit("Tibit", 1024. * 1024. * 1024. * 1024.),
          new Unit("tbit", 1000000000000.),
          new Unit("Bps", 8.),
          new Unit("KiBps", 8. * 1024.),
          new Unit("KBps", 8000.),
          new Unit("MiBps", 8. * 1024 * 1024),
          new Unit("MBps", 8000000.),
          new Unit("GiBps", 8. * 1024. * 1024. * 1024.),
          new Unit("GBps", 8000000000.),
          new Unit("TiBps", 8. * 1024. * 1024. * 1024. * 1024.),
          new Unit("TBps", 8000000000000.));

  private RateestMatch() {
    super(
        ExtensionKind.MATCH,
        "rateest",
        0,
        72,
        List.of(
            XtOption.of("rateest1", XtOptionType.STRING, O_RATEEST1, OLD_STYLE),
            XtOption.of("rateest", XtOptionType.STRING, O_RATEEST1, OLD_STYLE),
            XtOption.of("rateest2", XtOptionType.STRING, O_RATEEST2, OLD_STYLE),
            XtOption.of("rateest-bps1", XtOptionType.NONE, O_BPS1, WITH_RATE),
            XtOption.of("rateest-pps1", XtOptionType.NONE, O_PPS1, WITH_RATE),
            XtOption.of("rateest-bps2", XtOptionType.NONE, O_BPS2, WITH_RATE),
            XtOption.of("rateest-pps2", XtOptionType.NONE, O_PPS2, WITH_RATE),
            XtOption.of("rateest-bps", XtOptionType.NONE, O_BPS2, WITH_RATE),
            XtOption.of("rateest-pps", XtOptionType.NONE, O_PPS2, WITH_RATE),
            XtOption.of("rateest-delta", XtOptionType.NONE, O_DELTA, OLD_STYLE),
            XtOption.of("rateest-lt", XtOptionType.NONE, O_LT, OLD_STYLE),
            XtOption.of("rateest-gt", XtOptionType.NONE, O_GT, OLD_STYLE),
            XtOption.of("rateest-eq", XtOptionType.NONE, O_EQ, OLD_STYLE)));
  }

  @Override
  public int userSpaceSize() {
    return 56;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int c = arg.id();
    switch (c) {
      case O_RATEEST1, O_RATEEST2 -> {
        refuseInvert(arg, "rateest");
        once(d, c, c == O_RATEEST1 ? "--rateest1" : "--rateest2");
        XtText.putCString(b, c == O_RATEEST1 ? 0 : OFF_NAME2, NAME_SIZE, arg.arg());
        if (c == O_RATEEST2) {
          setFlags(b, F_REL);
        }
      }
      case O_BPS1, O_BPS2 -> {
        refuseInvert(arg, "rateest-bps");
        once(d, c, c == O_BPS1 ? "--rateest-bps1" : "--rateest-bps2");
        setFlags(b, F_BPS);
        String word = optionalValue(arg);
        if (word != null) {
          b.putInt(c == O_BPS1 ? OFF_BPS1 : OFF_BPS2, rate(word));
        }
      }
      case O_PPS1, O_PPS2 -> {
        refuseInvert(arg, "rateest-pps");
        once(d, c, c == O_PPS1 ? "--rateest-pps1" : "--rateest-pps2");
        setFlags(b, F_PPS);
        String word = optionalValue(arg);
        if (word != null) {
          Long pps = CNumbers.xtStrtoulStrict(word, 0, 0xffffffffL);
          if (pps == null) {
            throw RuleException.parameter("rateest: could not parse pps `" + word + "'");
          }
          b.putInt(c == O_PPS1 ? OFF_PPS1 : OFF_PPS2, pps.intValue());
        }
      }
      case O_DELTA -> {
        refuseInvert(arg, "rateest-delta");
        once(d, c, "--rateest-delta");
        setFlags(b, F_DELTA);
      }
      default -> {
        once(d, c, "lt/gt/eq");
        b.putShort(OFF_MODE, (short) (c == O_EQ ? MODE_EQ : c == O_LT ? MODE_LT : MODE_GT));
        if (arg.invert()) {
          setFlags(b, F_INVERT);
        }
      }
    }
  }

  private static void refuseInvert(XtArg arg, String what) throws RuleException {
    if (arg.invert()) {
      throw RuleException.parameter("rateest: " + what + " can't be inverted");
    }
  }

  /** The extension's own once-only bookkeeping, one bit per option id. */
  private static void once(ExtData d, int id, String what) throws RuleException {
    if ((d.scratch() & (1 << id)) != 0) {
      throw RuleException.parameter("rateest: can't specify " + what + " twice");
    }
    d.scratch(d.scratch() | (1 << id));
  }

  /**
   * The rate word the front-end joined to an argumentless option ({@link XtOption#NEXT_WORD}):
   * whatever follows the NUL, or null when no such word followed.
   */
  private static String optionalValue(XtArg arg) {
    String text = arg.arg();
    int nul = text == null ? -1 : text.indexOf('\0');
    return nul < 0 ? null : text.substring(nul + 1);
  }

  private static void setFlags(ByteBuffer b, int flags) {
    b.putShort(OFF_FLAGS, (short) (b.getShort(OFF_FLAGS) | flags));
  }

  /** A rate with an optional unit (no unit: bits per second) as bytes per second. */
  private static int rate(String text) throws RuleException {
    double[] number = XtText.strtodPrefix(text);
    if (number != null) {
      double bps = number[0];
      String unit = text.substring((int) number[1]);
      if (unit.isEmpty()) {
        return toU32(bps / 8.);
      }
      for (Unit u : UNITS) {
        if (u.name().equalsIgnoreCase(unit)) {
          return toU32((bps * u.scale()) / 8.);
        }
      }
    }
    throw RuleException.parameter("rateest: could not parse rate `" + text + "'");
  }

  /** C's double to uint32_t as gcc does it on x86-64: through a signed 64-bit truncation. */
  private static int toU32(double v) {
    if (Double.isNaN(v) || Math.abs(v) >= 0x1p63) {
      return 0;
    }
    return (int) (long) v;
  }

  @Override
  public void finalCheck(ExtData d) {
    if ((d.data().getShort(OFF_FLAGS) & F_REL) == 0) {
      setFlags(d.data(), F_ABS);
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getShort(OFF_FLAGS);
    boolean delta = (flags & F_DELTA) != 0;
    out.append(" rateest match ").append(XtText.cString(b, 0, NAME_SIZE));
    if (delta) {
      out.append(" delta");
    }
    if ((flags & F_BPS) != 0) {
      out.append(" bps");
      if (delta) {
        printRate(b.getInt(OFF_BPS1), numeric, out);
      }
      if ((flags & F_ABS) != 0) {
        printRate(b.getInt(OFF_BPS2), numeric, out);
        printMode(b, "", out);
      }
    }
    if ((flags & F_PPS) != 0) {
      out.append(" pps");
      if (delta) {
        out.append(' ').append(Integer.toUnsignedString(b.getInt(OFF_PPS1)));
      }
      if ((flags & F_ABS) != 0) {
        printMode(b, "", out);
        out.append(' ').append(Integer.toUnsignedString(b.getInt(OFF_PPS2)));
      }
    }
    if ((flags & F_REL) != 0) {
      printMode(b, "", out);
      out.append(' ').append(XtText.cString(b, OFF_NAME2, NAME_SIZE));
      if ((flags & F_BPS) != 0) {
        out.append(" bps");
        if (delta) {
          printRate(b.getInt(OFF_BPS2), numeric, out);
        }
      }
      if ((flags & F_PPS) != 0) {
        out.append(" pps");
        if (delta) {
          out.append(' ').append(Integer.toUnsignedString(b.getInt(OFF_PPS2)));
        }
      }
    }
  }

  /** Bytes per second as bits: numeric, or rounded to whole bit/Kbit/Mbit (printf's %.0f). */
  private static void printRate(int rate, boolean numeric, StringBuilder out) {
    long bytes = Integer.toUnsignedLong(rate);
    double bits = (double) bytes * 8;
    out.append(' ');
    if (numeric) {
      out.append(bytes);
    } else if (bits >= 1000.0 * 1000000.0) {
      out.append(whole(bits / 1000000.0)).append("Mbit");
    } else if (bits >= 1000.0 * 1000.0) {
      out.append(whole(bits / 1000.0)).append("Kbit");
    } else {
      out.append(whole(bits)).append("bit");
    }
  }

  private static String whole(double v) {
    return new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static void printMode(ByteBuffer b, String prefix, StringBuilder out) {
    if ((b.getShort(OFF_FLAGS) & F_INVERT) != 0) {
      out.append(" !");
    }
    switch (b.getShort(OFF_MODE)) {
      case MODE_EQ -> out.append(' ').append(prefix).append("eq");
      case MODE_LT -> out.append(' ').append(prefix).append("lt");
      case MODE_GT -> out.append(' ').append(prefix).append("gt");
      default -> {
        // iptables exits here; there is nothing sensible to print.
      }
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int flags = b.getShort(OFF_FLAGS);
    if ((flags & F_DELTA) != 0) {
      out.append(" --rateest-delta");
    }
    boolean rel = (flags & F_REL) != 0;
    out.append(rel ? " --rateest1 " : " --rateest ").append(XtText.cString(b, 0, NAME_SIZE));
    if ((flags & F_BPS) != 0) {
      saveRate(b, "bps", b.getInt(OFF_BPS1), b.getInt(OFF_BPS2), false, out);
    }
    if ((flags & F_PPS) != 0) {
      saveRate(b, "pps", b.getInt(OFF_PPS1), b.getInt(OFF_PPS2), true, out);
    }
    if (rel) {
      out.append(" --rateest2 ").append(XtText.cString(b, OFF_NAME2, NAME_SIZE));
    }
  }

  private static void saveRate(
      ByteBuffer b, String name, int r1, int r2, boolean numeric, StringBuilder out) {
    int flags = b.getShort(OFF_FLAGS);
    if ((flags & F_DELTA) != 0) {
      out.append(" --rateest-").append(name).append('1');
      printRate(r1, numeric, out);
      printMode(b, "--rateest-", out);
      out.append(" --rateest-").append(name).append('2');
    } else {
      printMode(b, "--rateest-", out);
      out.append(" --rateest-").append(name);
    }
    if ((flags & (F_ABS | F_DELTA)) != 0) {
      printRate(r2, numeric, out);
    }
  }
}

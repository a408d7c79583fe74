package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.uapi.XtHashlimitMtinfo.BYTES;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.HASH_DIP;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.HASH_DPT;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.HASH_SIP;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.HASH_SPT;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.INVERT;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.NAME_LEN;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_AVG;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_BURST;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_DSTMASK;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_EXPIRE;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_GC_INTERVAL;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_INTERVAL;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_MAX;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_MODE;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_SIZE;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.OFF_SRCMASK;
import static bpfilterctl.core.uapi.XtHashlimitMtinfo.RATE_MATCH;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtHashlimitMtinfo;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * hashlimit revision 3 (libxt_hashlimit.c): struct xt_hashlimit_mtinfo3 { char name[255];
 * hashlimit_cfg3 cfg at 256 (u64 avg, burst; u32 mode, size, max, gc_interval, expire, interval; u8
 * srcmask, dstmask); kernel pointer at 304 }, 312 bytes. The rate unit chosen while parsing
 * (libxtables' udata mult) lives in the rule's scratch word.
 */
public final class HashlimitMatch extends AbstractXtExtension {
  static final long SCALE = 1_000_000L;
  static final int BURST_MAX = 1_000_000;
  static final int GC_INTERVAL = 1000;
  static final int BYTE_EXPIRE = 15;
  static final int BYTE_EXPIRE_BURST = 60;

  static final int O_UPTO = 0;
  static final int O_ABOVE = 1;
  static final int O_MODE = 3;
  static final int O_SRCMASK = 4;
  static final int O_DSTMASK = 5;
  static final int O_NAME = 6;
  static final int O_BURST = 7;
  static final int O_HTABLE_SIZE = 8;
  static final int O_HTABLE_MAX = 9;
  static final int O_HTABLE_GCINT = 10;
  static final int O_HTABLE_EXPIRE = 11;
  static final int O_RATEMATCH = 12;
  static final int O_INTERVAL = 13;

  public static final List<XtExtension> ALL = List.of(new HashlimitMatch());

  private HashlimitMatch() {
    super(
        ExtensionKind.MATCH,
        "hashlimit",
        3,
        XtHashlimitMtinfo.SIZE_V3,
        List.of(
            XtOption.of("hashlimit-upto", XtOptionType.STRING, O_UPTO, XtOption.INVERT)
                .withExcl(1 << O_ABOVE),
            XtOption.of("hashlimit-above", XtOptionType.STRING, O_ABOVE, XtOption.INVERT)
                .withExcl(1 << O_UPTO),
            XtOption.of("hashlimit", XtOptionType.STRING, O_UPTO, XtOption.INVERT)
                .withExcl(1 << O_ABOVE),
            XtOption.of("hashlimit-srcmask", XtOptionType.PLEN, O_SRCMASK, 0),
            XtOption.of("hashlimit-dstmask", XtOptionType.PLEN, O_DSTMASK, 0),
            XtOption.of("hashlimit-burst", XtOptionType.STRING, O_BURST, 0),
            XtOption.of("hashlimit-htable-size", XtOptionType.UINT32, O_HTABLE_SIZE, 0),
            XtOption.of("hashlimit-htable-max", XtOptionType.UINT32, O_HTABLE_MAX, 0),
            XtOption.of("hashlimit-htable-gcinterval", XtOptionType.UINT32, O_HTABLE_GCINT, 0),
            XtOption.of("hashlimit-htable-expire", XtOptionType.UINT32, O_HTABLE_EXPIRE, 0),
            XtOption.of("hashlimit-mode", XtOptionType.STRING, O_MODE, 0),
            XtOption.of("hashlimit-name", XtOptionType.STRING, O_NAME, XtOption.MAND)
                .withRange(1, 0)
                .withSize(NAME_LEN),
            XtOption.of("hashlimit-rate-match", XtOptionType.NONE, O_RATEMATCH, 0),
            XtOption.of("hashlimit-rate-interval", XtOptionType.STRING, O_INTERVAL, 0)));
  }

  @Override
  public int userSpaceSize() {
    return 304;
  }

  @Override
  public void init(ExtData d) {
    d.data().putLong(OFF_BURST, 5).putInt(OFF_GC_INTERVAL, GC_INTERVAL).put(OFF_SRCMASK, (byte) 32);
    d.data().put(OFF_DSTMASK, (byte) 32);
  }

  private static RuleException bad(String opt, String arg) {
    return RuleException.parameter(
        "hashlimit: Bad value for \"" + opt + "\" option: \"" + arg + "\"");
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int mode = b.getInt(OFF_MODE);
    switch (a.id()) {
      case O_BURST -> b.putLong(OFF_BURST, parseBurst(a.arg()));
      case O_UPTO, O_ABOVE -> {
        boolean above = a.id() == O_ABOVE;
        if (a.invert() != above) {
          mode |= INVERT;
        }
        Long bytes = parseBytes(a.arg(), d);
        if (bytes != null) {
          b.putLong(OFF_AVG, bytes);
          mode |= BYTES;
        } else {
          Long rate = parseRate(a.arg(), d);
          if (rate == null) {
            throw bad(above ? "--hashlimit-above" : "--hashlimit-upto", a.arg());
          }
          b.putLong(OFF_AVG, rate);
        }
      }
      case O_MODE -> {
        for (String tok : a.arg().split("[,|]")) {
          switch (tok) {
            case "" -> {}
            case "dstip" -> mode |= HASH_DIP;
            case "srcip" -> mode |= HASH_SIP;
            case "srcport" -> mode |= HASH_SPT;
            case "dstport" -> mode |= HASH_DPT;
            default -> throw bad("--hashlimit-mode", a.arg());
          }
        }
      }
      case O_SRCMASK -> b.put(OFF_SRCMASK, (byte) a.val());
      case O_DSTMASK -> b.put(OFF_DSTMASK, (byte) a.val());
      case O_NAME -> XtPrint.putCString(b, 0, NAME_LEN, a.arg());
      case O_HTABLE_SIZE -> b.putInt(OFF_SIZE, (int) a.val());
      case O_HTABLE_MAX -> b.putInt(OFF_MAX, (int) a.val());
      case O_HTABLE_GCINT -> b.putInt(OFF_GC_INTERVAL, (int) a.val());
      case O_HTABLE_EXPIRE -> b.putInt(OFF_EXPIRE, (int) a.val());
      case O_RATEMATCH -> mode |= RATE_MATCH;
      default -> {
        int r = LimitMatch.atoi(a.arg());
        if (r <= 0) {
          throw bad("--hashlimit-rate-interval", a.arg());
        }
        b.putInt(OFF_INTERVAL, r);
      }
    }
    b.putInt(OFF_MODE, mode);
  }

  private static int factor(char c) {
    return c == 'm' ? 1024 * 1024 : c == 'k' ? 1024 : 1;
  }

  private static long parseBurst(String s) throws RuleException {
    RuleException range =
        RuleException.parameter(
            "bad value for option \"--hashlimit-burst\", or out of range (1-" + BURST_MAX + ").");
    CNumbers.Parsed p = CNumbers.xtStrtoul(s, 0, 1, -1L);
    if (p == null || (p.end() == s.length() && Long.compareUnsigned(p.value(), BURST_MAX) > 0)) {
      throw range;
    }
    return p.value() * factor(p.end() < s.length() ? s.charAt(p.end()) : '\0');
  }

  /** parse_bytes: "N[k|m]b/s"; the cost, or null when the text is no byte rate. */
  private static Long parseBytes(String rate, ExtData d) throws RuleException {
    int at = rate.indexOf("b/s");
    if (at <= 0) {
      return null;
    }
    long r = atoll(rate);
    if (r == 0) {
      return null;
    }
    long bytes = r * factor(rate.charAt(at - 1));
    long cost = bytesToCost(bytes);
    if (cost == 0) {
      throw RuleException.parameter("Rate too high \"" + rate + "\"");
    }
    d.scratch(BYTE_EXPIRE);
    return cost;
  }

  /** parse_rate: "N[/unit]" in 1/1000000 s. */
  private static Long parseRate(String rate, ExtData d) throws RuleException {
    long mult = 1;
    d.scratch(1);
    int slash = rate.indexOf('/');
    if (slash >= 0) {
      String unit = rate.substring(slash + 1);
      if (unit.isEmpty()) {
        return null;
      } else if (LimitMatch.prefixOf(unit, "second")) {
        mult = 1;
      } else if (LimitMatch.prefixOf(unit, "minute")) {
        mult = 60;
      } else if (LimitMatch.prefixOf(unit, "hour")) {
        mult = 3600;
      } else if (LimitMatch.prefixOf(unit, "day")) {
        mult = 86400;
      } else {
        return null;
      }
      d.scratch((int) mult);
    }
    long r = atoll(rate);
    if (r == 0) {
      return null;
    }
    long tmp = Long.divideUnsigned(SCALE * mult, r);
    if (tmp == 0) {
      throw RuleException.parameter("Rate too fast \"" + rate + "\"");
    }
    return tmp;
  }

  /** atoll: blanks, a sign, decimal digits (saturating as strtoll). */
  static long atoll(String s) {
    CNumbers.Parsed p = CNumbers.strtoull(s, 0, 10);
    if (p.overflow()) {
      return p.negative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return p.value();
  }

  static long bytesToCost(long bytes) {
    long r = (bytes >>> 4) & 0xffffffffL;
    return r + 1 > 0xffffffffL ? 0 : 0xffffffffL / (r + 1);
  }

  static long costToBytes(long cost) {
    long r = cost != 0 ? Long.divideUnsigned(0xffffffffL, cost) : 0xffffffffL;
    return (r - 1) << 4;
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int seen = d.seen();
    if ((seen & ((1 << O_UPTO) | (1 << O_ABOVE))) == 0) {
      throw RuleException.parameter("You have to specify --hashlimit");
    }
    long mult = d.scratch();
    if ((seen & (1 << O_HTABLE_EXPIRE)) == 0) {
      b.putInt(OFF_EXPIRE, (int) (mult * 1000));
    }
    int mode = b.getInt(OFF_MODE);
    long avg = b.getLong(OFF_AVG);
    if ((mode & BYTES) != 0) {
      long burst = 0;
      if ((seen & (1 << O_BURST)) != 0) {
        long unit = costToBytes(avg);
        long cfgBurst = b.getLong(OFF_BURST);
        if (Long.compareUnsigned(cfgBurst, unit) < 0) {
          throw RuleException.parameter("burst cannot be smaller than " + unit + "b");
        }
        // iptables divides in a u32
        burst = ((cfgBurst & 0xffffffffL) / unit) & 0xffffffffL;
        if (Long.remainderUnsigned(cfgBurst, unit) != 0) {
          burst = (burst + 1) & 0xffffffffL;
        }
        if ((seen & (1 << O_HTABLE_EXPIRE)) == 0) {
          b.putInt(OFF_EXPIRE, BYTE_EXPIRE_BURST * 1000);
        }
      }
      b.putLong(OFF_BURST, burst);
    } else if (Long.compareUnsigned(b.getLong(OFF_BURST), BURST_MAX) > 0) {
      throw RuleException.parameter(
          "bad value for option \"--hashlimit-burst\", or out of range (1-" + BURST_MAX + ").");
    }
    if ((seen & (1 << O_RATEMATCH)) != 0) {
      if ((mode & BYTES) == 0) {
        b.putLong(OFF_AVG, Long.divideUnsigned(b.getLong(OFF_AVG), mult));
      }
      if (b.getInt(OFF_INTERVAL) == 0) {
        b.putInt(OFF_INTERVAL, (mode & BYTES) != 0 ? 1 : (int) mult);
      }
    }
  }

  /** print_rate; returns the quantum in ms. */
  private static long printRate(long period, StringBuilder out) {
    if (period == 0) {
      out.append(" inf");
      return 0;
    }
    String[] names = {"day", "hour", "min", "sec"};
    long[] mults = {SCALE * 86400, SCALE * 3600, SCALE * 60, SCALE};
    int i;
    for (i = 1; i < names.length; i++) {
      if (Long.compareUnsigned(period, mults[i]) > 0
          || Long.compareUnsigned(
                  Long.divideUnsigned(mults[i], period), Long.remainderUnsigned(mults[i], period))
              < 0) {
        break;
      }
    }
    out.append(' ')
        .append(Long.toUnsignedString(Long.divideUnsigned(mults[i - 1], period)))
        .append('/')
        .append(names[i - 1]);
    return mults[i - 1] / SCALE * 1000;
  }

  /** print_bytes; returns the quantum in ms. */
  private static long printBytes(long avg, long burst, String prefix, StringBuilder out) {
    String[] names = {"m", "k", ""};
    long[] thresh = {1024 * 1024, 1024, 1};
    long r = costToBytes(avg);
    int i;
    for (i = 0; i < 2; i++) {
      if (Long.compareUnsigned(r, thresh[i]) >= 0 && bytesToCost(r & ~(thresh[i] - 1)) == avg) {
        break;
      }
    }
    out.append(' ').append(Long.toUnsignedString(r / thresh[i])).append(names[i]).append("b/s");
    if (burst == 0) {
      return BYTE_EXPIRE * 1000;
    }
    r *= burst;
    out.append(' ').append(prefix);
    for (i = 0; i < 2; i++) {
      if (Long.compareUnsigned(r, thresh[i]) >= 0) {
        break;
      }
    }
    out.append("burst ").append(Long.toUnsignedString(r / thresh[i])).append(names[i]).append('b');
    return BYTE_EXPIRE_BURST * 1000;
  }

  private static void mode(int mode, char sep, StringBuilder out) {
    out.append(' ');
    String s = "";
    if ((mode & HASH_SIP) != 0) {
      s += "srcip";
    }
    if ((mode & HASH_SPT) != 0) {
      s += (s.isEmpty() ? "" : String.valueOf(sep)) + "srcport";
    }
    if ((mode & HASH_DIP) != 0) {
      s += (s.isEmpty() ? "" : String.valueOf(sep)) + "dstip";
    }
    if ((mode & HASH_DPT) != 0) {
      s += (s.isEmpty() ? "" : String.valueOf(sep)) + "dstport";
    }
    out.append(s);
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    int mode = b.getInt(OFF_MODE);
    out.append((mode & INVERT) != 0 ? " limit: above" : " limit: up to");
    long quantum;
    if ((mode & BYTES) != 0) {
      quantum = printBytes(b.getLong(OFF_AVG), b.getLong(OFF_BURST), "", out);
    } else {
      long period = b.getLong(OFF_AVG);
      long interval = XtPrint.u32(b, OFF_INTERVAL);
      if (interval != 0) {
        period *= interval;
      }
      quantum = printRate(period, out);
      out.append(" burst ").append(Long.toUnsignedString(b.getLong(OFF_BURST)));
    }
    if ((mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT)) != 0) {
      out.append(" mode");
      mode(mode, '-', out);
    }
    tail(b, quantum, "", out);
  }

  /** The options both forms print after the rate, with their names as prefix + name. */
  private static void tail(ByteBuffer b, long quantum, String prefix, StringBuilder out) {
    int mode = b.getInt(OFF_MODE);
    String ht = prefix.isEmpty() ? "htable-" : prefix + "htable-";
    if (b.getInt(OFF_SIZE) != 0) {
      out.append(' ').append(ht).append("size ").append(XtPrint.u32(b, OFF_SIZE));
    }
    if (b.getInt(OFF_MAX) != 0) {
      out.append(' ').append(ht).append("max ").append(XtPrint.u32(b, OFF_MAX));
    }
    if (b.getInt(OFF_GC_INTERVAL) != GC_INTERVAL) {
      out.append(' ').append(ht).append("gcinterval ").append(XtPrint.u32(b, OFF_GC_INTERVAL));
    }
    if (XtPrint.u32(b, OFF_EXPIRE) != (quantum & 0xffffffffL)) {
      out.append(' ').append(ht).append("expire ").append(XtPrint.u32(b, OFF_EXPIRE));
    }
    if (XtPrint.u8(b, OFF_SRCMASK) != 32) {
      out.append(' ').append(prefix).append("srcmask ").append(XtPrint.u8(b, OFF_SRCMASK));
    }
    if (XtPrint.u8(b, OFF_DSTMASK) != 32) {
      out.append(' ').append(prefix).append("dstmask ").append(XtPrint.u8(b, OFF_DSTMASK));
    }
    if ((mode & RATE_MATCH) != 0) {
      out.append(' ').append(prefix).append("rate-match");
      if (b.getInt(OFF_INTERVAL) != 1) {
        out.append(' ')
            .append(prefix)
            .append("rate-interval ")
            .append(XtPrint.u32(b, OFF_INTERVAL));
      }
    }
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    int mode = b.getInt(OFF_MODE);
    out.append((mode & INVERT) != 0 ? " --hashlimit-above" : " --hashlimit-upto");
    long quantum;
    if ((mode & BYTES) != 0) {
      quantum = printBytes(b.getLong(OFF_AVG), b.getLong(OFF_BURST), "--hashlimit-", out);
    } else {
      quantum = printRate(b.getLong(OFF_AVG), out);
      out.append(" --hashlimit-burst ").append(Long.toUnsignedString(b.getLong(OFF_BURST)));
    }
    if ((mode & (HASH_SIP | HASH_SPT | HASH_DIP | HASH_DPT)) != 0) {
      out.append(" --hashlimit-mode");
      mode(mode, ',', out);
    }
    out.append(" --hashlimit-name ").append(XtPrint.cString(b, 0, NAME_LEN));
    tail(b, quantum, "--hashlimit-", out);
  }
}

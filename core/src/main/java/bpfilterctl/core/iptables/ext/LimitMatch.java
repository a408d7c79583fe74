package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * limit (libxt_limit.c): struct xt_rateinfo { avg, burst, then kernel-private prev, credit,
 * credit_cap, cost, master }, 40 bytes; only avg and burst tell rules apart.
 */
public final class LimitMatch extends AbstractXtExtension {
  static final long SCALE = 10000;
  static final int DEFAULT_BURST = 5;

  public static final List<XtExtension> ALL = List.of(new LimitMatch());

  private LimitMatch() {
    super(
        ExtensionKind.MATCH,
        "limit",
        0,
        40,
        List.of(
            XtOption.of("limit", XtOptionType.STRING, 0, 0),
            XtOption.of("limit-burst", XtOptionType.UINT32, 1, 0).withRange(0, 10000)));
  }

  @Override
  public int userSpaceSize() {
    return 8;
  }

  @Override
  public void init(ExtData d) {
    d.data().putInt(0, (int) SCALE * 3600 / 3).putInt(4, DEFAULT_BURST);
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    if (a.id() == 0) {
      Long avg = parseRate(a.arg(), "second", "minute", "hour", "day");
      if (avg == null) {
        throw RuleException.parameter("bad rate \"" + a.arg() + "\"'");
      }
      d.data().putInt(0, avg.intValue());
    } else {
      d.data().putInt(4, (int) a.val());
    }
    if (a.invert()) {
      throw RuleException.parameter("limit does not support invert");
    }
  }

  /**
   * parse_rate: "n[/unit]" with unit a case-insensitive prefix of the given second/minute/hour/day
   * names; the period in 1/10000 s, null when unparsable.
   */
  static Long parseRate(String rate, String sec, String min, String hour, String day)
      throws RuleException {
    long mult = 1;
    int slash = rate.indexOf('/');
    if (slash >= 0) {
      String unit = rate.substring(slash + 1);
      if (unit.isEmpty()) {
        return null;
      }
      if (prefixOf(unit, sec)) {
        mult = 1;
      } else if (prefixOf(unit, min)) {
        mult = 60;
      } else if (prefixOf(unit, hour)) {
        mult = 3600;
      } else if (prefixOf(unit, day)) {
        mult = 86400;
      } else {
        return null;
      }
    }
    long r = atoi(rate) & 0xffffffffL;
    if (r == 0) {
      return null;
    }
    long val = (SCALE * mult) / r;
    if (val == 0) {
      throw RuleException.parameter("Rate too fast \"" + rate + "\"");
    }
    return val;
  }

  static boolean prefixOf(String s, String name) {
    return s.length() <= name.length() && name.substring(0, s.length()).equalsIgnoreCase(s);
  }

  /** atoi: blanks, a sign, decimal digits; wraps like the C int it returns on x86-64. */
  static int atoi(String s) {
    int i = 0;
    while (i < s.length() && CNumbers.isSpace(s.charAt(i))) {
      i++;
    }
    boolean neg = false;
    if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    long v = 0;
    while (i < s.length() && Character.isDigit(s.charAt(i)) && s.charAt(i) < 128) {
      v = v * 10 + (s.charAt(i) - '0');
      if (v > 0xffffffffL * 16) {
        v = Long.MAX_VALUE; // strtol saturates; atoi's result then is LONG_MAX cast to int
        break;
      }
      i++;
    }
    if (v == Long.MAX_VALUE) {
      return neg ? 0 : -1;
    }
    return (int) (neg ? -v : v);
  }

  /** print_rate: the largest unit that still shows the period exactly enough. */
  static void printRate(long period, StringBuilder out) {
    if (period == 0) {
      out.append(" inf");
      return;
    }
    String[] names = {"day", "hour", "min", "sec"};
    long[] mults = {SCALE * 86400, SCALE * 3600, SCALE * 60, SCALE};
    int i;
    for (i = 1; i < names.length; i++) {
      if (period > mults[i] || mults[i] / period < mults[i] % period) {
        break;
      }
    }
    out.append(' ').append(mults[i - 1] / period).append('/').append(names[i - 1]);
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" limit: avg");
    printRate(XtPrint.u32(d.data(), 0), out);
    out.append(" burst ").append(XtPrint.u32(d.data(), 4));
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(" --limit");
    printRate(XtPrint.u32(d.data(), 0), out);
    long burst = XtPrint.u32(d.data(), 4);
    if (burst != DEFAULT_BURST) {
      out.append(" --limit-burst ").append(burst);
    }
  }
}

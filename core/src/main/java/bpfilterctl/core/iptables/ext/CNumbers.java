package bpfilterctl.core.iptables.ext;

import java.util.Locale;

/**
 * C's strtoull and libxtables' xtables_strtoul, whose quirks iptables' messages and accepted forms
 * depend on: leading blanks, an optional sign, base 0 detection (0x hex, 0 octal), saturation on
 * overflow, and an end index where parsing stopped. Values are unsigned 64-bit in a long.
 */
public final class CNumbers {
  private CNumbers() {}

  /**
   * What strtoull made of a string from an index.
   *
   * @param value the value, UINT64_MAX on overflow, negated (mod 2^64) after a '-'
   * @param end the index where parsing stopped; {@code from} itself when no digit was read
   * @param overflow ERANGE
   * @param negative a '-' preceded the digits
   */
  public record Parsed(long value, int end, boolean overflow, boolean negative) {
    public boolean parsedAny(int from) {
      return end != from;
    }
  }

  /** strtoull(s + from, &end, base); base 0 autodetects. */
  public static Parsed strtoull(String s, int from, int base) {
    int i = from;
    int n = s.length();
    while (i < n && isSpace(s.charAt(i))) {
      i++;
    }
    boolean neg = false;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      neg = s.charAt(i) == '-';
      i++;
    }
    int b = base;
    if ((b == 0 || b == 16)
        && i + 1 < n
        && s.charAt(i) == '0'
        && (s.charAt(i + 1) == 'x' || s.charAt(i + 1) == 'X')
        && i + 2 < n
        && Character.digit(s.charAt(i + 2), 16) >= 0) {
      i += 2;
      b = 16;
    } else if (b == 0) {
      b = i < n && s.charAt(i) == '0' ? 8 : 10;
    }
    int start = i;
    long v = 0;
    boolean overflow = false;
    while (i < n) {
      int d = digit(s.charAt(i), b);
      if (d < 0) {
        break;
      }
      if (!overflow) {
        // v * b + d > UINT64_MAX ?
        long hi = Math.multiplyHigh(v, b) + ((v >> 63) & b);
        long lo = v * b;
        long sum = lo + d;
        if (hi != 0 || Long.compareUnsigned(sum, lo) < 0) {
          overflow = true;
        } else {
          v = sum;
        }
      }
      i++;
    }
    if (i == start) {
      return new Parsed(0, from, false, false);
    }
    if (overflow) {
      return new Parsed(-1L, i, true, neg);
    }
    return new Parsed(neg ? -v : v, i, false, neg);
  }

  /**
   * xtables_strtoul with an end pointer: a leading '-' is refused, the number must lie in [min,max]
   * (max 0: no upper bound). Returns the parse or null when refused; trailing text is the caller's
   * business.
   */
  public static Parsed xtStrtoul(String s, int from, long min, long max) {
    int p = from;
    while (p < s.length() && isSpace(s.charAt(p))) {
      p++;
    }
    if (p < s.length() && s.charAt(p) == '-') {
      return null;
    }
    Parsed r = strtoull(s, from, 0);
    if (!r.parsedAny(from) || r.overflow()) {
      return null;
    }
    if (Long.compareUnsigned(r.value(), min) < 0
        || (max != 0 && Long.compareUnsigned(r.value(), max) > 0)) {
      return null;
    }
    return r;
  }

  /**
   * The strict xtables_strtoul (no end pointer): the whole string is one number in [min,max].
   * Returns null when refused.
   */
  public static Long xtStrtoulStrict(String s, long min, long max) {
    Parsed r = xtStrtoul(s, 0, min, max);
    return r == null || r.end() != s.length() ? null : r.value();
  }

  /**
   * sscanf("%i") into an int: blanks, a sign, base 0 digits; the rest is ignored. strtol's value,
   * saturated to the long range, is stored into the int as C truncates it. Null when no digit.
   */
  public static Integer scanfInt(String s) {
    Parsed r = strtoull(s, 0, 0);
    if (!r.parsedAny(0)) {
      return null;
    }
    long magnitude = r.negative() ? -r.value() : r.value();
    long v;
    if (r.overflow() || magnitude < 0) {
      v = r.negative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    } else {
      v = r.negative() ? -magnitude : magnitude;
    }
    return (int) v;
  }

  /** Whether strtoull's view of a failed xtStrtoul still consumed digits (for end pointers). */
  public static int endOf(String s, int from) {
    return strtoull(s, from, 0).end();
  }

  static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
  }

  private static int digit(char c, int base) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'z') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'Z') {
      d = c - 'A' + 10;
    } else {
      return -1;
    }
    return d < base ? d : -1;
  }

  /** strtod over a whole string (leading blanks allowed): decimal forms, inf and nan. */
  static Double strtod(String s) {
    int i = 0;
    while (i < s.length() && CNumbers.isSpace(s.charAt(i))) {
      i++;
    }
    String t = s.substring(i).toLowerCase(Locale.ROOT);
    boolean neg = t.startsWith("-");
    String body = t.startsWith("+") || neg ? t.substring(1) : t;
    if (body.equals("inf") || body.equals("infinity")) {
      return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (body.equals("nan")) {
      return Double.NaN;
    }
    if (!body.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      return null;
    }
    return Double.parseDouble(t);
  }
}

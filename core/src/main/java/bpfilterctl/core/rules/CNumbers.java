package bpfilterctl.core.rules;

/** C's number parsing as libxtables uses it (strtoumax base 0 behind xtables_strtoul). */
public final class CNumbers {
  private CNumbers() {}

  /**
   * xtables_strtoul of a whole string: base 0 (0x hex, leading 0 octal), no sign, within [min, max]
   * (max 0: no upper bound). Returns -1 when the text is not such a number.
   */
  public static long strtoul(String s, long min, long max) {
    ParsedPrefix p = prefix(s);
    if (p == null || p.end != s.length()) {
      return -1;
    }
    return p.value >= min && (max == 0 || p.value <= max) ? p.value : -1;
  }

  /** The number at the start of {@code s} and where it ends, or null when there is none. */
  public static ParsedPrefix prefix(String s) {
    int i = 0;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    if (i < s.length() && s.charAt(i) == '-') {
      return null;
    }
    if (i < s.length() && s.charAt(i) == '+') {
      i++;
    }
    int radix = 10;
    int start = i;
    if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
      if (i + 2 < s.length() && Character.digit(s.charAt(i + 2), 16) >= 0) {
        radix = 16;
        i += 2;
        start = i;
      }
    } else if (s.startsWith("0", i)) {
      radix = 8;
    }
    long v = 0;
    int j = start;
    boolean overflow = false;
    while (j < s.length() && Character.digit(s.charAt(j), radix) >= 0) {
      long next = v * radix + Character.digit(s.charAt(j), radix);
      if (Long.compareUnsigned(next, v) < 0 || v > Long.divideUnsigned(-1L, radix)) {
        overflow = true;
      }
      v = next;
      j++;
    }
    if (j == start) {
      return null;
    }
    if (overflow || v < 0) {
      return new ParsedPrefix(-1, j);
    }
    return new ParsedPrefix(v, j);
  }

  /** A parsed number ({@code value} -1 when it overflows) and the index after it. */
  public record ParsedPrefix(long value, int end) {}
}

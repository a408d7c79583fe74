package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.Ipv4;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * The C library and libxtables text helpers the target codecs lean on, with their exact edge cases
 * (numbers are {@link CNumbers}'): inet_pton/inet_ntop for IPv4, xtables_save_string's quoting,
 * fixed-size NUL-terminated fields, printf's %.1f, strtod's prefix.
 */
final class XtText {
  private XtText() {}

  /** inet_pton(AF_INET): four decimal octets, no leading zeros; the address in network order. */
  static byte[] inetPton4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
        return null;
      }
      int v = 0;
      for (char c : p.toCharArray()) {
        if (c < '0' || c > '9') {
          return null;
        }
        v = v * 10 + (c - '0');
      }
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  /** Dotted quad of 4 bytes in network order at {@code off}. */
  static String ipv4(ByteBuffer b, int off) {
    return Ipv4.dotted(
        (b.get(off) & 0xff) << 24
            | (b.get(off + 1) & 0xff) << 16
            | (b.get(off + 2) & 0xff) << 8
            | (b.get(off + 3) & 0xff));
  }

  /** A 32-bit field stored in network order, as a host int (10.0.0.1 is 0x0a000001). */
  static int getBe32(ByteBuffer b, int off) {
    return Integer.reverseBytes(b.getInt(off));
  }

  static void putBe32(ByteBuffer b, int off, int hostValue) {
    b.putInt(off, Integer.reverseBytes(hostValue));
  }

  static int getBe16(ByteBuffer b, int off) {
    return Short.toUnsignedInt(Short.reverseBytes(b.getShort(off)));
  }

  static void putBe16(ByteBuffer b, int off, int hostValue) {
    b.putShort(off, Short.reverseBytes((short) hostValue));
  }

  static int u8(ByteBuffer b, int off) {
    return b.get(off) & 0xff;
  }

  static int u16(ByteBuffer b, int off) {
    return Short.toUnsignedInt(b.getShort(off));
  }

  static long u32(ByteBuffer b, int off) {
    return Integer.toUnsignedLong(b.getInt(off));
  }

  /** The NUL-terminated string of a char[size] field (all of it when there is no NUL). */
  static String cString(ByteBuffer b, int off, int size) {
    int end = off;
    int limit = Math.min(off + size, b.capacity());
    while (end < limit && b.get(end) != 0) {
      end++;
    }
    byte[] raw = new byte[end - off];
    b.get(off, raw);
    return new String(raw, StandardCharsets.UTF_8);
  }

  /** strncpy into a char[size] field, cut to size-1 bytes and NUL-terminated (XTOPT_PUT). */
  static void putCString(ByteBuffer b, int off, int size, String value) {
    byte[] raw = value.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(raw.length, size - 1);
    byte[] field = Arrays.copyOf(raw, n);
    byte[] zeros = new byte[size - n];
    b.put(off, field);
    b.put(off + n, zeros);
  }

  /** snprintf(field, size, "%s", value): the same cut as {@link #putCString}. */
  static void putTruncated(ByteBuffer b, int off, int size, String value) {
    putCString(b, off, size, value);
  }

  private static final String NO_QUOTE_CHARS =
      "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  /** xtables_save_string: " value" when it is plain, else " \"...\"" with \" \\ \' escaped. */
  static void saveString(String value, StringBuilder out) {
    int plain = 0;
    while (plain < value.length() && NO_QUOTE_CHARS.indexOf(value.charAt(plain)) >= 0) {
      plain++;
    }
    if (plain > 0 && plain == value.length()) {
      out.append(' ').append(value);
      return;
    }
    out.append(" \"");
    for (char c : value.toCharArray()) {
      if (c == '"' || c == '\\' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    out.append('"');
  }

  /** getservbyname(name, NULL): the first protocol listing the name, as glibc's files backend. */
  static OptionalInt serviceAnyProto(Lookups lookups, String name) {
    for (String proto : new String[] {"tcp", "udp", "sctp", "dccp"}) {
      OptionalInt p = lookups.service(name, proto);
      if (p.isPresent()) {
        return p;
      }
    }
    return OptionalInt.empty();
  }

  /** printf("%x") of a 32-bit unsigned value. */
  static String hex(long v) {
    return Long.toHexString(v & 0xffffffffL);
  }

  /** printf("%.1f"): the exact binary value rounded half-even, as glibc does. */
  static String fixed1(double v) {
    return new java.math.BigDecimal(v)
        .setScale(1, java.math.RoundingMode.HALF_EVEN)
        .toPlainString();
  }

  /**
   * strtod's longest decimal prefix at the start of {@code s} (after blanks): the value and where
   * it stopped, or null when nothing converts. Hex floats are not read.
   */
  static double[] strtodPrefix(String s) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "^[ \\t\\n\\r\\f\\x0b]*[+-]?(?:(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                    + "|(?i:infinity|inf|nan))")
            .matcher(s);
    if (!m.find()) {
      return null;
    }
    String num = m.group().trim().toLowerCase(java.util.Locale.ROOT);
    double v =
        num.contains("inf")
            ? (num.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
            : num.contains("nan") ? Double.NaN : Double.parseDouble(num);
    return new double[] {v, m.end()};
  }

  /**
   * getnameinfo(3) without flags for an IPv4 address: the first name /etc/hosts gives it, else the
   * address itself (there is no DNS to ask here).
   */
  static String hostName(String dotted) {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(
              java.nio.file.Path.of("/etc/hosts"), java.nio.charset.StandardCharsets.ISO_8859_1)) {
        String[] f = line.replaceAll("#.*", "").trim().split("\\s+");
        byte[] a = f.length > 1 ? inetPton4(f[0]) : null;
        if (a != null && ipv4(ByteBuffer.wrap(a), 0).equals(dotted)) {
          return f[1];
        }
      }
    } catch (java.io.IOException e) {
      return dotted;
    }
    return dotted;
  }
}

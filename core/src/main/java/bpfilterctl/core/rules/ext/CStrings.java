package bpfilterctl.core.rules.ext;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * NUL-terminated char arrays inside extension structs, and libxtables' xtables_save_string quoting
 * of such strings in save form. Text is UTF-8 on the wire, as the bytes of iptables' argv are.
 */
final class CStrings {
  private CStrings() {}

  private static final String NO_QUOTE =
      "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  /** The string in {@code len} bytes at {@code off}, up to its first NUL. */
  static String read(ByteBuffer data, int off, int len) {
    byte[] b = new byte[Math.max(0, Math.min(len, data.capacity() - off))];
    data.get(off, b);
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  /** The byte length strlen(3) would give the string once written. */
  static int length(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }

  /**
   * Writes {@code s} into the {@code size}-byte field at {@code off}, cut to size-1 bytes and
   * NUL-terminated (libxtables' string store, or strncpy of size-1 into a zeroed field).
   */
  static void write(ByteBuffer data, int off, int size, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(b.length, size - 1);
    data.put(off, Arrays.copyOf(b, n));
    data.put(off + n, (byte) 0);
  }

  /**
   * xtables_save_string: " value" when it is made of [A-Za-z0-9_-] only, otherwise double-quoted
   * with backslashes before ", \ and '.
   */
  static void save(String value, StringBuilder out) {
    boolean plain = !value.isEmpty();
    for (int i = 0; i < value.length() && plain; i++) {
      plain = NO_QUOTE.indexOf(value.charAt(i)) >= 0;
    }
    out.append(' ');
    if (plain) {
      out.append(value);
      return;
    }
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    out.append('"');
  }
}

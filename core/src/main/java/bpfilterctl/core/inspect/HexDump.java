package bpfilterctl.core.inspect;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The one hex dump: rows of an offset, the bytes in hex (a wider gap after the eighth) and the
 * printable ASCII between bars. {@link #of} is {@code hexdump -C}'s layout without its squeezing of
 * repeated lines (so that every offset can be found with grep); {@link #lines} is the traffic
 * views' shorter form.
 */
public final class HexDump {
  private static final HexFormat HEX = HexFormat.of();

  private HexDump() {}

  /**
   * One line per 16 bytes, then the total length as a last offset (as hexdump -C ends); the empty
   * string for no bytes.
   */
  public static String of(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (int at = 0; at < bytes.length; at += 16) {
      b.append(row(bytes, at, 16, 8)).append('\n');
    }
    if (bytes.length > 0) {
      b.append(String.format("%08x", bytes.length)).append('\n');
    }
    return b.toString();
  }

  /**
   * At most {@code maxLines} rows of {@code perLine} bytes (8 or 16) with 4-digit offsets; a last
   * line says how many bytes were left out.
   */
  public static List<String> lines(byte[] bytes, int maxLines, int perLine) {
    List<String> out = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += perLine) {
      if (out.size() == maxLines) {
        out.add("... " + (bytes.length - at) + " more bytes");
        break;
      }
      out.add(row(bytes, at, perLine, 4));
    }
    return out;
  }

  /**
   * One row: the offset in at least {@code digits} hex digits, two spaces, the hex cells, the text.
   */
  private static String row(byte[] bytes, int at, int perLine, int digits) {
    StringBuilder hex = new StringBuilder();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < perLine; i++) {
      if (i > 0) {
        hex.append(i == 8 ? "  " : " ");
      }
      if (at + i < bytes.length) {
        int v = bytes[at + i] & 0xff;
        hex.append(HEX.toHexDigits((byte) v));
        text.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
      } else {
        hex.append("  ");
      }
    }
    return String.format("%0" + digits + "x", at) + "  " + hex + "  |" + text + "|";
  }
}

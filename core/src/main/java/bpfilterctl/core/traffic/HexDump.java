package bpfilterctl.core.traffic;

import java.util.ArrayList;
import java.util.List;

/** The classic hex dump: offset, 16 bytes in hex, and the printable ones as text. */
public final class HexDump {
  private HexDump() {}

  /**
   * At most {@code maxLines} lines of {@code perLine} bytes (8 or 16); a last line says how many
   * bytes were left out.
   */
  public static List<String> lines(byte[] bytes, int maxLines, int perLine) {
    List<String> out = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += perLine) {
      if (out.size() == maxLines) {
        out.add("... " + (bytes.length - at) + " more bytes");
        break;
      }
      StringBuilder hex = new StringBuilder();
      StringBuilder text = new StringBuilder();
      for (int i = at; i < at + perLine; i++) {
        if (i < bytes.length) {
          int b = bytes[i] & 0xff;
          hex.append(String.format("%02x ", b));
          text.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
        } else {
          hex.append("   ");
        }
        if (i - at == 7 && perLine > 8) {
          hex.append(' ');
        }
      }
      out.add(String.format("%04x  %s |%s|", at, hex, text));
    }
    return out;
  }
}

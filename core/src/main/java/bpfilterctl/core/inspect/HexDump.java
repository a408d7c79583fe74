package bpfilterctl.core.inspect;

/**
 * {@code hexdump -C}'s layout without its squeezing of repeated lines (so that every offset can be
 * found with grep): offset, 16 bytes in two groups of 8, the printable ASCII between bars.
 */
public final class HexDump {
  private HexDump() {}

  /**
   * One line per 16 bytes, then the total length as a last offset (as hexdump -C ends); the empty
   * string for no bytes.
   */
  public static String of(byte[] bytes) {
    StringBuilder b = new StringBuilder();
    for (int at = 0; at < bytes.length; at += 16) {
      b.append(String.format("%08x ", at));
      StringBuilder ascii = new StringBuilder();
      for (int i = 0; i < 16; i++) {
        if (i == 8) {
          b.append(' ');
        }
        if (at + i < bytes.length) {
          int v = bytes[at + i] & 0xff;
          b.append(String.format(" %02x", v));
          ascii.append(v >= 0x20 && v < 0x7f ? (char) v : '.');
        } else {
          b.append("   ");
        }
      }
      b.append("  |").append(ascii).append("|\n");
    }
    if (bytes.length > 0) {
      b.append(String.format("%08x", bytes.length)).append('\n');
    }
    return b.toString();
  }
}

package bpfilterctl.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * A raw uapi structure from a file or stdin ({@code -}): binary as it travels, or hex text (as
 * kernel-sockopt's "buf" and {@code --hex} dumps' bytes are written). Hex is recognised when every
 * byte is a hex digit or white space; a binary ipt_replace or xt_counters_info never is, since its
 * 32-byte name field holds NULs.
 */
public final class BlobFile {
  private BlobFile() {}

  public static byte[] read(String fileOrDash, InputStream stdin) throws IOException {
    byte[] raw =
        fileOrDash.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(fileOrDash));
    return isHexText(raw) ? parseHex(raw, fileOrDash) : raw;
  }

  static boolean isHexText(byte[] raw) {
    int digits = 0;
    for (byte b : raw) {
      if (Character.digit(b, 16) >= 0) {
        digits++;
      } else if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return digits > 0;
  }

  private static byte[] parseHex(byte[] raw, String name) throws IOException {
    String digits = new String(raw, StandardCharsets.US_ASCII).replaceAll("\\s+", "");
    if (digits.length() % 2 != 0) {
      throw new IOException(name + ": hex text with an odd number of digits");
    }
    return HexFormat.of().parseHex(digits);
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.core.daemon.CallerIo;
import bpfilterctl.core.daemon.DaemonFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.HexFormat;

/**
 * A raw uapi structure from a file or stdin ({@code -}): binary as it travels, or hex text (as
 * kernel-sockopt's "buf" and {@code --hex} dumps' bytes are written). Hex is recognised when every
 * byte is a hex digit or white space; a binary ipt_replace or xt_counters_info never is, since its
 * 32-byte name field holds NULs.
 */
public final class BlobFile {
  private BlobFile() {}

  /** The longest blob taken: as long as a daemon frame may be (twice that as hex text). */
  static final long MAX_BYTES = 2L * DaemonFrame.MAX_BODY;

  public static byte[] read(String fileOrDash, CallerIo caller) throws IOException {
    byte[] raw =
        fileOrDash.equals("-")
            ? readBounded(caller.stdin(), fileOrDash)
            : readFile(fileOrDash, caller);
    return isHexText(raw) ? parseHex(raw, fileOrDash) : raw;
  }

  /**
   * A regular file's bytes, read by the caller; anything else (a directory, a FIFO, /dev/zero) or a
   * file too big is a one-line error, never a hang or an OutOfMemoryError.
   */
  private static byte[] readFile(String name, CallerIo caller) throws IOException {
    try {
      return caller.readFile(name, MAX_BYTES, true);
    } catch (NoSuchFileException e) {
      throw new IOException(name + ": No such file or directory", e);
    } catch (AccessDeniedException e) {
      throw new IOException(name + ": Permission denied", e);
    }
  }

  private static byte[] readBounded(InputStream in, String name) throws IOException {
    byte[] b = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_BYTES + 1));
    if (b.length > MAX_BYTES) {
      throw new IOException(name + ": too big (more than " + MAX_BYTES + " bytes)");
    }
    return b;
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

package bpfilterctl.cli.commands;

import bpfilterctl.core.daemon.DaemonFrame;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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

  public static byte[] read(String fileOrDash, InputStream stdin) throws IOException {
    byte[] raw = fileOrDash.equals("-") ? readBounded(stdin, fileOrDash) : readFile(fileOrDash);
    return isHexText(raw) ? parseHex(raw, fileOrDash) : raw;
  }

  /**
   * A regular file's bytes; anything else (a directory, a FIFO, /dev/zero) or a file too big is a
   * one-line error, never a hang or an OutOfMemoryError.
   */
  private static byte[] readFile(String name) throws IOException {
    Path p = Path.of(name);
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(p, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new IOException(name + ": No such file or directory", e);
    } catch (AccessDeniedException e) {
      throw new IOException(name + ": Permission denied", e);
    }
    if (a.isDirectory()) {
      throw new IOException(name + ": Is a directory");
    }
    if (!a.isRegularFile()) {
      throw new IOException(name + ": not a regular file");
    }
    if (a.size() > MAX_BYTES) {
      throw new IOException(name + ": too big (" + a.size() + " bytes, at most " + MAX_BYTES + ")");
    }
    try (InputStream in = Files.newInputStream(p)) {
      return readBounded(in, name);
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

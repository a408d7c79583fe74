package bpfilterctl.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * A command's text to a byte stream as UTF-8, each write encoded whole by {@link String#getBytes}:
 * an iptables listing of 50,000 rules is one write of megabytes, which an OutputStreamWriter would
 * take through a char copy and 8 KiB encoder rounds. The bytes are an OutputStreamWriter's: a
 * surrogate pair split between two writes is joined, and a lone surrogate becomes '?'; a high
 * surrogate still waiting at a flush stays waiting (as an OutputStreamWriter's does).
 */
final class Utf8Writer extends Writer {
  /**
   * The most bytes one write passes on: the daemon sends each as a frame, the client as it comes.
   */
  private static final int CHUNK = 1 << 16;

  private final OutputStream out;

  /** A high surrogate that ended the last write: its low half comes with the next. */
  private char pending;

  Utf8Writer(OutputStream out) {
    this.out = out;
  }

  @Override
  public void write(String s, int off, int len) throws IOException {
    if (len <= 0) {
      return;
    }
    encode(s.substring(off, off + len));
  }

  @Override
  public void write(char[] c, int off, int len) throws IOException {
    if (len <= 0) {
      return;
    }
    encode(new String(c, off, len));
  }

  @Override
  public void write(int c) throws IOException {
    encode(String.valueOf((char) c));
  }

  private void encode(String s) throws IOException {
    if (pending != 0) {
      s = pending + s;
      pending = 0;
    }
    int end = s.length();
    if (Character.isHighSurrogate(s.charAt(end - 1))) {
      pending = s.charAt(end - 1);
      end--;
    }
    if (end > 0) {
      byte[] b = (end == s.length() ? s : s.substring(0, end)).getBytes(StandardCharsets.UTF_8);
      for (int at = 0; at < b.length; at += CHUNK) {
        out.write(b, at, Math.min(CHUNK, b.length - at));
      }
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (pending != 0) {
      char c = pending;
      pending = 0;
      out.write(String.valueOf(c).getBytes(StandardCharsets.UTF_8)); // '?', as the encoder ends
    }
    out.close();
  }
}

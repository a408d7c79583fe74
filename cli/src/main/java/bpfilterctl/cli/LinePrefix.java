package bpfilterctl.cli;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Puts a prefix before every non-empty line written through it: a batch's messages as {@code
 * FILE:LINE: message}, the place of the command that wrote them, as compilers give theirs.
 */
final class LinePrefix extends FilterWriter {
  private final String prefix;
  private boolean atLineStart = true;

  LinePrefix(Writer out, String prefix) {
    super(out);
    this.prefix = prefix;
  }

  @Override
  public void write(int c) throws IOException {
    if (atLineStart && c != '\n') {
      out.write(prefix);
    }
    out.write(c);
    atLineStart = c == '\n';
  }

  @Override
  public void write(char[] cbuf, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      write(cbuf[i]);
    }
  }

  @Override
  public void write(String str, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      write(str.charAt(i));
    }
  }
}

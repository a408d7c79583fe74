package bpfilterctl.cli.shell;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/** Paints every line written through it red, so that errors stand out from output in the shell. */
final class ErrorColour extends FilterWriter {
  private static final String RED = "\033[31m";
  private static final String RESET = "\033[0m";
  private boolean atLineStart = true;

  ErrorColour(Writer out) {
    super(out);
  }

  @Override
  public void write(int c) throws IOException {
    if (c == '\n') {
      if (!atLineStart) {
        out.write(RESET);
      }
      out.write(c);
      atLineStart = true;
      return;
    }
    if (atLineStart) {
      out.write(RED);
      atLineStart = false;
    }
    out.write(c);
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

  @Override
  public void flush() throws IOException {
    if (!atLineStart) {
      out.write(RESET);
      atLineStart = true;
    }
    out.flush();
  }
}

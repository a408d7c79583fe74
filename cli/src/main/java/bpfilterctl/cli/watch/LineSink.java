package bpfilterctl.cli.watch;

import java.io.Writer;
import java.util.Queue;

/** A Writer whose every finished line becomes a {@link PaneLine} of one kind in a queue. */
final class LineSink extends Writer {
  private final Queue<PaneLine> out;
  private final PaneLine.Kind kind;
  private final StringBuilder pending = new StringBuilder();

  LineSink(Queue<PaneLine> out, PaneLine.Kind kind) {
    this.out = out;
    this.kind = kind;
  }

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      char c = buf[i];
      if (c == '\n') {
        emit();
      } else if (c != '\r') {
        pending.append(c);
      }
    }
  }

  private void emit() {
    out.add(new PaneLine(kind, pending.toString()));
    pending.setLength(0);
  }

  /** Flushing keeps a half-written line: the rest may follow (printf of one line in parts). */
  @Override
  public void flush() {}

  /** A last line without its newline still shows. */
  @Override
  public synchronized void close() {
    if (pending.length() > 0) {
      emit();
    }
  }
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a recording: one frame per line, as {@link Frame#toJson()} (docs/traffic-format.md). */
public final class RecordingWriter implements AutoCloseable {
  private final BufferedWriter out;
  private long written;

  public RecordingWriter(Path file) throws IOException {
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
  }

  public void write(Frame f) throws IOException {
    out.write(f.toJson());
    out.write('\n');
    written++;
  }

  public long written() {
    return written;
  }

  /** Pushes what is buffered to the file, so that a recording cut short still has its lines. */
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}

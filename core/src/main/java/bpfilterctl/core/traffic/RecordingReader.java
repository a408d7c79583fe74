package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a recording back; a bad line fails the whole read, naming the file and line. */
public final class RecordingReader {
  private RecordingReader() {}

  public static List<Frame> read(Path file) throws IOException {
    List<Frame> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int n = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          out.add(Frame.fromJson(line));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ":" + n + ": " + e.getMessage(), e);
        }
      }
    }
    return out;
  }
}

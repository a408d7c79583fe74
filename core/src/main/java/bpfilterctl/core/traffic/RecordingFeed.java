package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A recording, shown all at once: no log, no status, nothing dropped. */
public final class RecordingFeed implements TrafficFeed {
  private final Path file;
  private final List<Frame> pending;

  public RecordingFeed(Path file, List<Frame> frames) {
    this.file = file;
    this.pending = new ArrayList<>(frames);
  }

  @Override
  public List<Frame> drainFrames(int max) {
    List<Frame> head = pending.subList(0, Math.min(max, pending.size()));
    List<Frame> out = new ArrayList<>(head);
    head.clear();
    return out;
  }

  @Override
  public List<LogLine> drainLog() {
    return List.of();
  }

  @Override
  public Optional<ModuleStatus> status() {
    return Optional.empty();
  }

  @Override
  public long drops() {
    return 0;
  }

  @Override
  public String source() {
    return "replay " + file;
  }

  @Override
  public void close() {
    // nothing held open
  }
}

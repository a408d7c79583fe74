package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleStatus;
import bpfilterctl.core.module.TapSubscription;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/** The traffic of the module host embedded in this process: its tap and its log, subscribed. */
public final class HostFeed implements TrafficFeed {
  private final ModuleHost host;
  private final TapSubscription frames;
  private final ArrayBlockingQueue<LogLine> log;
  private final AtomicLong logDrops = new AtomicLong();
  private final Runnable stopLog;
  private final List<Frame> backlog;
  private final long lastBacklogSeq;
  private final List<LogLine> logBacklog;
  private final Set<LogLine> logBacklogSeen = Collections.newSetFromMap(new IdentityHashMap<>());

  /**
   * @param queue frames held between two looks; more are dropped and counted
   * @param history how many recent frames and log lines to show at once
   */
  public HostFeed(ModuleHost host, int queue, int history) {
    this.host = host;
    this.log = new ArrayBlockingQueue<>(Math.max(16, queue / 16));
    // Subscribe first, then read the history; what both hold is taken once (below).
    this.frames = host.tap().subscribe(queue);
    this.stopLog =
        host.log()
            .listen(
                l -> {
                  if (!log.offer(l)) {
                    logDrops.incrementAndGet();
                  }
                });
    this.backlog = new ArrayList<>(host.tap().recent(history));
    this.lastBacklogSeq = backlog.isEmpty() ? -1 : backlog.get(backlog.size() - 1).seq();
    List<LogLine> lines = host.log().lines();
    this.logBacklog =
        new ArrayList<>(lines.subList(Math.max(0, lines.size() - history), lines.size()));
    logBacklogSeen.addAll(logBacklog);
  }

  @Override
  public List<Frame> drainFrames(int max) {
    List<Frame> out = new ArrayList<>(backlog);
    backlog.clear();
    for (Frame f : frames.drain(max)) {
      if (f.seq() > lastBacklogSeq) {
        out.add(f);
      }
    }
    return out;
  }

  @Override
  public List<LogLine> drainLog() {
    List<LogLine> out = new ArrayList<>(logBacklog);
    logBacklog.clear();
    List<LogLine> queued = new ArrayList<>();
    log.drainTo(queued);
    for (LogLine l : queued) {
      // The log hands listeners the very object it keeps: a line in both is the same object.
      if (logBacklogSeen.isEmpty() || !logBacklogSeen.remove(l)) {
        out.add(l);
      }
    }
    return out;
  }

  @Override
  public Optional<ModuleStatus> status() {
    return Optional.of(host.status());
  }

  @Override
  public long drops() {
    return frames.dropped() + logDrops.get();
  }

  @Override
  public String source() {
    return "embedded";
  }

  @Override
  public void close() {
    frames.close();
    stopLog.run();
  }
}

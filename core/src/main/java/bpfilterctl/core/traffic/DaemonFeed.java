package bpfilterctl.core.traffic;

import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A daemon's traffic: a connection subscribed to its frames, one to its log, one polling its status
 * four times a second, each on a daemon thread of its own that only ever offers to a bounded queue.
 */
public final class DaemonFeed implements TrafficFeed {
  private static final long STATUS_EVERY_MILLIS = 250;

  private final Path socket;
  private final ArrayBlockingQueue<Frame> frames;
  private volatile long lastRecent = -1;
  private final ArrayBlockingQueue<LogLine> log;
  private final AtomicLong drops = new AtomicLong();
  private final List<DaemonClient> clients = new CopyOnWriteArrayList<>();
  private volatile ModuleStatus status;
  private volatile boolean closed;

  private DaemonFeed(Path socket, int queue) {
    this.socket = socket;
    this.frames = new ArrayBlockingQueue<>(queue);
    this.log = new ArrayBlockingQueue<>(Math.max(16, queue / 16));
  }

  /** Connects the three connections; fails when the daemon does not answer. */
  public static DaemonFeed open(Path socket, int queue, int history)
      throws IOException, ModuleException {
    DaemonFeed f = new DaemonFeed(socket, queue);
    try {
      DaemonClient poll = f.connect();
      f.status = poll.status();
      for (LogLine l : poll.log(history)) {
        f.log.offer(l);
      }
      // the frames before we came, as an embedded host's tap shows them; the subscription then
      // goes on from there (a frame published in between may be missed, none doubled)
      for (Frame fr : poll.recentFrames(history)) {
        f.frames.offer(fr);
        f.lastRecent = fr.seq();
      }
      DaemonClient traffic = f.connect();
      DaemonClient logs = f.connect();
      f.start("watch-traffic", () -> traffic.subscribe("traffic", f::offerFrame));
      f.start("watch-log", () -> logs.subscribe("log", f::offerLog));
      f.start("watch-status", () -> f.poll(poll));
    } catch (IOException | ModuleException | RuntimeException e) {
      f.close();
      throw e;
    }
    return f;
  }

  private DaemonClient connect() throws IOException, ModuleException {
    DaemonClient c = DaemonClient.connect(socket);
    clients.add(c);
    return c;
  }

  /** What runs on a feed thread; its failure ends the thread, and closing the feed ends it too. */
  private interface Body {
    void run() throws ModuleException, InterruptedException;
  }

  private void start(String name, Body body) {
    Thread t =
        new Thread(
            () -> {
              try {
                body.run();
              } catch (ModuleException | InterruptedException e) {
                // The daemon went away or the feed closed: the header shows the last status.
              } catch (RuntimeException e) {
                if (!closed) {
                  throw e;
                }
                // closed under a blocked read (a closed selector): the end the feed asked for
              }
            },
            name);
    t.setDaemon(true);
    t.start();
  }

  private boolean offerFrame(String json) {
    Frame fr = Frame.fromJson(json);
    if (fr.seq() <= lastRecent) {
      return !closed;
    }
    if (!frames.offer(fr)) {
      drops.incrementAndGet();
    }
    return !closed;
  }

  private boolean offerLog(String json) {
    if (!log.offer(LogLine.fromJson(json))) {
      drops.incrementAndGet();
    }
    return !closed;
  }

  private void poll(DaemonClient c) throws ModuleException, InterruptedException {
    while (!closed) {
      status = c.status();
      TimeUnit.MILLISECONDS.sleep(STATUS_EVERY_MILLIS);
    }
  }

  @Override
  public List<Frame> drainFrames(int max) {
    List<Frame> out = new ArrayList<>();
    frames.drainTo(out, max);
    return out;
  }

  @Override
  public List<LogLine> drainLog() {
    List<LogLine> out = new ArrayList<>();
    log.drainTo(out);
    return out;
  }

  @Override
  public Optional<ModuleStatus> status() {
    return Optional.ofNullable(status);
  }

  /** Ours, and the daemon's tap drops (any subscriber's, which include ours on its side). */
  @Override
  public long drops() {
    ModuleStatus s = status;
    return drops.get() + (s == null ? 0 : s.tapDrops());
  }

  @Override
  public String source() {
    return "daemon at " + socket;
  }

  @Override
  public void close() {
    closed = true;
    for (DaemonClient c : clients) {
      try {
        c.close();
      } catch (IOException e) {
        // closing a connection we are done with
      }
    }
  }
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Copies a feed's frames into a recording on a thread of its own, until it has {@code maxFrames},
 * its time is up, or it is closed. It flushes the file a few times a second, so that a recording
 * cut short by a kill still has all but its last moments.
 */
public final class Recorder implements AutoCloseable {
  private static final long FLUSH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final TrafficFeed feed;
  private final RecordingWriter out;
  private final long maxFrames;
  private final long endNanos;
  private final long dropsAtStart;
  private final Thread thread;
  private volatile boolean stopping;
  private volatile IOException failure;

  /**
   * @param maxFrames stop after this many frames; Long.MAX_VALUE for no limit
   * @param forNanos stop after this long; Long.MAX_VALUE for no limit
   */
  public Recorder(TrafficFeed feed, RecordingWriter out, long maxFrames, long forNanos) {
    this.feed = feed;
    this.out = out;
    this.maxFrames = maxFrames;
    long now = System.nanoTime();
    this.endNanos = forNanos == Long.MAX_VALUE ? Long.MAX_VALUE : now + forNanos;
    this.dropsAtStart = feed.drops();
    this.thread = new Thread(this::copy, "traffic-record");
    thread.setDaemon(true);
    thread.start();
  }

  private void copy() {
    long lastFlush = System.nanoTime();
    try {
      while (true) {
        // Read the flag before draining, so that what was published before close() is written.
        boolean last = stopping;
        List<Frame> frames = feed.drainFrames((int) Math.min(4096, maxFrames - out.written()));
        feed.drainLog();
        for (Frame f : frames) {
          out.write(f);
        }
        long now = System.nanoTime();
        if (last || out.written() >= maxFrames || now - endNanos >= 0) {
          break;
        }
        if (now - lastFlush >= FLUSH_EVERY_NANOS) {
          out.flush();
          lastFlush = now;
        }
        if (frames.isEmpty()) {
          TimeUnit.MILLISECONDS.sleep(10);
        }
      }
      out.flush();
    } catch (IOException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True once the recording has stopped by itself (count or time reached, or a write failed). */
  public boolean finished() {
    return !thread.isAlive();
  }

  /** Waits for the end, at most {@code millis}; true when it has ended. */
  public boolean await(long millis) throws InterruptedException {
    thread.join(millis);
    return !thread.isAlive();
  }

  public long written() {
    return out.written();
  }

  /** Frames lost while recording: the feed fell behind (never hidden: reported with the count). */
  public long drops() {
    return feed.drops() - dropsAtStart;
  }

  /** Stops, writes what came before, closes the file and the feed; throws if a write failed. */
  @Override
  public void close() throws IOException {
    stopping = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    feed.close();
    out.close();
    if (failure != null) {
      throw new IOException("writing the recording failed: " + failure.getMessage(), failure);
    }
  }
}

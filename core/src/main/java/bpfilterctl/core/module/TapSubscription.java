package bpfilterctl.core.module;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscriber's view of the traffic tap: a bounded queue that the publisher offers to and never
 * waits on. What does not fit is dropped and counted.
 */
public final class TapSubscription implements AutoCloseable {
  private final ArrayBlockingQueue<Frame> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong totalDropped;
  private final Runnable onClose;

  TapSubscription(int capacity, AtomicLong totalDropped, Runnable onClose) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.totalDropped = totalDropped;
    this.onClose = onClose;
  }

  void offer(Frame f) {
    if (!queue.offer(f)) {
      dropped.incrementAndGet();
      totalDropped.incrementAndGet();
    }
  }

  /** The next frame, waiting at most {@code timeoutMillis}; null when none came. */
  public Frame poll(long timeoutMillis) throws InterruptedException {
    return queue.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  /** Everything queued now, without waiting. */
  public List<Frame> drain() {
    List<Frame> out = new ArrayList<>();
    queue.drainTo(out);
    return out;
  }

  /** At most {@code max} of what is queued now, oldest first, without waiting. */
  public List<Frame> drain(int max) {
    List<Frame> out = new ArrayList<>();
    queue.drainTo(out, max);
    return out;
  }

  public long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    onClose.run();
  }
}

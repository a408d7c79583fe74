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
  private final long byteBudget;
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong totalDropped;
  private final Runnable onClose;

  TapSubscription(int capacity, long byteBudget, AtomicLong totalDropped, Runnable onClose) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.byteBudget = byteBudget;
    this.totalDropped = totalDropped;
    this.onClose = onClose;
  }

  void offer(Frame f) {
    long b = f.payload().length;
    // An empty queue takes any one frame: the budget bounds a backlog, not a frame.
    if ((queuedBytes.get() + b > byteBudget && !queue.isEmpty()) || !queue.offer(f)) {
      dropped.incrementAndGet();
      totalDropped.incrementAndGet();
      return;
    }
    queuedBytes.addAndGet(b);
  }

  private Frame taken(Frame f) {
    if (f != null) {
      queuedBytes.addAndGet(-f.payload().length);
    }
    return f;
  }

  private List<Frame> taken(List<Frame> fs) {
    for (Frame f : fs) {
      taken(f);
    }
    return fs;
  }

  /** The next frame, waiting at most {@code timeoutMillis}; null when none came. */
  public Frame poll(long timeoutMillis) throws InterruptedException {
    return taken(queue.poll(timeoutMillis, TimeUnit.MILLISECONDS));
  }

  /** Everything queued now, without waiting. */
  public List<Frame> drain() {
    List<Frame> out = new ArrayList<>();
    queue.drainTo(out);
    return taken(out);
  }

  /** At most {@code max} of what is queued now, oldest first, without waiting. */
  public List<Frame> drain(int max) {
    List<Frame> out = new ArrayList<>();
    queue.drainTo(out, max);
    return taken(out);
  }

  public long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    onClose.run();
  }
}

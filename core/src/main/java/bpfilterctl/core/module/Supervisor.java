package bpfilterctl.core.module;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The thread that looks after the umh between requests: it sleeps until its work says something is
 * due, or until poked (a death, a state change), then does it under the module's lock. When a
 * request holds the lock it looks again shortly instead of queueing behind it.
 */
final class Supervisor implements AutoCloseable {
  /** How long it waits for the lock a request holds before it looks again. */
  private static final long BUSY_RETRY_MILLIS = 5;

  /** What the supervisor does; called with nanoTime() values. */
  interface Work {
    /** When something is next due without a poke; Long.MAX_VALUE: only when poked. */
    long nextAttentionNanos(long now);

    boolean needsAttention(long now);

    /** Does what is due; called with the lock held. */
    void attend(long now);
  }

  private final ReentrantLock lock;
  private final Work work;
  private final Object signal = new Object();
  private boolean poked;
  private volatile boolean closed;
  private Thread thread;

  Supervisor(ReentrantLock lock, Work work) {
    this.lock = lock;
    this.work = work;
  }

  /** Starts the thread, once. */
  void start() {
    if (thread == null) {
      thread = new Thread(this::run, "module-supervisor");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** Makes it look now. */
  void poke() {
    synchronized (signal) {
      poked = true;
      signal.notifyAll();
    }
  }

  private void run() {
    while (!closed) {
      long now = System.nanoTime();
      long waitNanos = work.nextAttentionNanos(now) - now;
      if (work.needsAttention(now)) {
        if (lock.tryLock()) {
          try {
            work.attend(System.nanoTime());
          } finally {
            lock.unlock();
          }
          continue;
        }
        waitNanos = TimeUnit.MILLISECONDS.toNanos(BUSY_RETRY_MILLIS);
      }
      synchronized (signal) {
        try {
          if (!poked && !closed) {
            if (waitNanos == Long.MAX_VALUE - now) {
              signal.wait();
            } else if (waitNanos > 0) {
              TimeUnit.NANOSECONDS.timedWait(signal, waitNanos);
            }
          }
        } catch (InterruptedException e) {
          return;
        }
        poked = false;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    poke();
    stop(thread);
  }

  /** Interrupts a helper thread and waits a second for it. */
  static void stop(Thread t) {
    if (t == null) {
      return;
    }
    t.interrupt();
    try {
      t.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

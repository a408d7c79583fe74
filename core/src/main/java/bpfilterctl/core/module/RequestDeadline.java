package bpfilterctl.core.module;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The deadline of the request on the pipes, kept by a thread of its own (the supervisor's watchdog
 * pings are requests too): it sleeps until a request begins, then until that request's deadline,
 * and kills the umh when the request has not ended by then. Steady traffic wakes it at most once
 * per deadline. Only the module's lock holder begins and ends requests.
 */
final class RequestDeadline implements AutoCloseable {
  /** How long the thread waits, after a kill, for the killed request to unwind. */
  private static final long UNWIND_RETRY_MILLIS = 5;

  private final Object signal = new Object();
  private final Consumer<UmhProcess> kill;

  private volatile UmhProcess umh;
  private volatile long deadline;
  private volatile boolean timedOut;

  /** The deadline the thread sleeps until; 0: it sleeps until a request begins. */
  private volatile long watched;

  private volatile boolean closed;
  private Thread thread;

  /** {@code kill}: what ends a umh that missed its deadline (it says so and sends SIGKILL). */
  RequestDeadline(Consumer<UmhProcess> kill) {
    this.kill = kill;
  }

  /** Starts the thread, once. */
  void start() {
    if (thread == null) {
      thread = new Thread(this::run, "module-deadlines");
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** A request to {@code p} begins; it must end by {@code deadlineNanos} (System.nanoTime()). */
  void begin(UmhProcess p, long deadlineNanos) {
    timedOut = false;
    umh = p;
    deadline = deadlineNanos;
    long w = watched;
    if (w == 0 || deadlineNanos < w) {
      synchronized (signal) {
        signal.notifyAll();
      }
    }
  }

  /** The request ended (replied, failed or killed). */
  void end() {
    deadline = 0;
    umh = null;
  }

  /** Whether the request now on the pipes was killed for its deadline. */
  boolean timedOut() {
    return timedOut;
  }

  /** A request is still unwinding after its umh was killed for its deadline. */
  boolean unresponsive() {
    return timedOut && deadline != 0;
  }

  private void run() {
    synchronized (signal) {
      while (!closed) {
        // "Looking" before reading: a request that begins now either is seen here or sees 0
        // and wakes us (both volatile), so its deadline is never missed.
        watched = 0;
        long d = deadline;
        long now = System.nanoTime();
        try {
          if (d == 0) {
            signal.wait();
            continue;
          }
          if (now < d) {
            watched = d;
            TimeUnit.NANOSECONDS.timedWait(signal, d - now);
            continue;
          }
        } catch (InterruptedException e) {
          return;
        }
        UmhProcess victim = umh;
        if (victim != null && !timedOut && d == deadline) {
          // No state change here: transitions belong to the lock holder, which sees timedOut.
          timedOut = true;
          kill.accept(victim);
        }
        watched = 0;
        try {
          signal.wait(UNWIND_RETRY_MILLIS); // until the killed request unwinds
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    synchronized (signal) {
      signal.notifyAll();
    }
    Supervisor.stop(thread);
  }
}

package bpfilterctl.core.module;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * systemd's Restart=on-failure, which the kernel never had: exponential backoff between restarts
 * and a start limit (so many starts within an interval, then FAILED until an explicit load). Times
 * are System.nanoTime() values passed in, so the policy is a pure function of its history.
 */
public final class RestartPolicy {
  private final long minBackoffNanos;
  private final long maxBackoffNanos;
  private final int startLimitBurst;
  private final long startLimitIntervalNanos;
  private final ArrayDeque<Long> starts = new ArrayDeque<>();
  private int consecutiveFailures;

  public RestartPolicy(
      Duration minBackoff, Duration maxBackoff, int startLimitBurst, Duration startLimitInterval) {
    this.minBackoffNanos = minBackoff.toNanos();
    this.maxBackoffNanos = maxBackoff.toNanos();
    this.startLimitBurst = startLimitBurst;
    this.startLimitIntervalNanos = startLimitInterval.toNanos();
  }

  /** An explicit load forgets the history. */
  public void reset() {
    starts.clear();
    consecutiveFailures = 0;
  }

  /** True when one more start at {@code now} stays within the start limit. */
  public boolean mayStart(long now) {
    forgetOld(now);
    return starts.size() < startLimitBurst;
  }

  public void recordStart(long now) {
    forgetOld(now);
    starts.addLast(now);
  }

  /**
   * A umh died or failed to start. A umh that ran longer than the longest backoff counts as a fresh
   * failure, so a long-lived umh that dies once restarts quickly.
   */
  public void recordFailure(long ranNanos) {
    if (ranNanos > maxBackoffNanos) {
      consecutiveFailures = 0;
    }
    consecutiveFailures++;
  }

  /** How long to wait before the next restart: 100 ms, 200 ms, ... up to the maximum. */
  public long backoffNanos() {
    if (consecutiveFailures == 0) {
      return 0;
    }
    int shift = Math.min(consecutiveFailures - 1, 30);
    long d = minBackoffNanos << shift;
    return d <= 0 || d > maxBackoffNanos ? maxBackoffNanos : d;
  }

  public int startsInWindow(long now) {
    forgetOld(now);
    return starts.size();
  }

  public int startLimitBurst() {
    return startLimitBurst;
  }

  public Duration startLimitInterval() {
    return Duration.ofNanos(startLimitIntervalNanos);
  }

  private void forgetOld(long now) {
    while (!starts.isEmpty() && now - starts.peekFirst() >= startLimitIntervalNanos) {
      starts.removeFirst();
    }
  }
}

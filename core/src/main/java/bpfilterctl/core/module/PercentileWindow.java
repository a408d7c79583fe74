package bpfilterctl.core.module;

import java.util.Arrays;

/**
 * The most recent samples (round-trip times, in nanoseconds), for last/p50/p99: the one percentile
 * window of the host's status and the traffic views. A fixed window keeps memory bounded and makes
 * the percentiles describe the present, not the whole uptime.
 */
public final class PercentileWindow {
  private final long[] samples;
  private long count;
  private long last;

  public PercentileWindow(int size) {
    samples = new long[size];
  }

  public synchronized void record(long nanos) {
    samples[(int) (count % samples.length)] = nanos;
    count++;
    last = nanos;
  }

  public synchronized Latency snapshot() {
    int n = (int) Math.min(count, samples.length);
    if (n == 0) {
      return new Latency(0, 0, 0, 0);
    }
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    return new Latency(n, last, percentile(sorted, n, 0.5), percentile(sorted, n, 0.99));
  }

  /**
   * The nearest-rank percentile {@code q} (0 &lt; q &lt;= 1) of the first {@code n} samples of
   * {@code sorted}, ascending; 0 when there are none.
   */
  public static long percentile(long[] sorted, int n, double q) {
    return n == 0 ? 0 : sorted[(int) Math.ceil(n * q) - 1];
  }

  /** Percentiles over the window, in nanoseconds; all 0 before the first sample. */
  public record Latency(int samples, long lastNanos, long p50Nanos, long p99Nanos) {}
}

package bpfilterctl.core.module;

import java.util.Arrays;

/**
 * Round-trip times of the most recent requests, for last/p50/p99. A fixed window keeps memory
 * bounded and makes the percentiles describe the present, not the whole uptime.
 */
final class LatencyWindow {
  private final long[] samples;
  private long count;
  private long last;

  LatencyWindow(int size) {
    samples = new long[size];
  }

  synchronized void record(long nanos) {
    samples[(int) (count % samples.length)] = nanos;
    count++;
    last = nanos;
  }

  synchronized Latency snapshot() {
    int n = (int) Math.min(count, samples.length);
    if (n == 0) {
      return new Latency(0, 0, 0, 0);
    }
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    return new Latency(n, last, sorted[(n - 1) / 2], sorted[(int) Math.ceil(n * 0.99) - 1]);
  }

  /** Percentiles over the window, in nanoseconds; all 0 before the first sample. */
  record Latency(int samples, long lastNanos, long p50Nanos, long p99Nanos) {}
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.PercentileWindow;
import java.util.Arrays;

/**
 * What the watch header shows of the traffic it has sampled: requests per second over the last
 * second, reply latency p50/p99 over the last {@code window} replies, and totals. The caller passes
 * the time, so that the figures are its own clock's (a daemon's frame times are another process's).
 * Not thread-safe: one view's thread owns it.
 */
public final class TrafficStats {
  private static final long BUCKET_NANOS = 100_000_000L;
  private static final int BUCKETS = 10;

  private final long[] bucketCount = new long[BUCKETS];
  private final long[] bucketId = new long[BUCKETS];
  private final PercentileWindow latencies;
  private long frames;
  private long requests;
  private long errors;

  public TrafficStats(int window) {
    this.latencies = new PercentileWindow(window);
    Arrays.fill(bucketId, -1);
  }

  public void add(Frame f, long nowNanos) {
    frames++;
    if (f.direction() == Frame.Direction.REQUEST) {
      requests++;
      long id = Math.floorDiv(nowNanos, BUCKET_NANOS);
      int slot = (int) Math.floorMod(id, (long) BUCKETS);
      if (bucketId[slot] != id) {
        bucketId[slot] = id;
        bucketCount[slot] = 0;
      }
      bucketCount[slot]++;
    } else {
      if (f.isError()) {
        errors++;
      }
      latencies.record(f.latencyNanos());
    }
  }

  /** Requests in the last second: the current 100 ms bucket and the nine before it. */
  public long requestsPerSecond(long nowNanos) {
    long now = Math.floorDiv(nowNanos, BUCKET_NANOS);
    long sum = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (bucketId[i] > now - BUCKETS && bucketId[i] <= now) {
        sum += bucketCount[i];
      }
    }
    return sum;
  }

  /** p50 and p99 of the recent reply latencies, {0, 0} before the first reply. */
  public long[] latencyPercentiles() {
    PercentileWindow.Latency l = latencies.snapshot();
    return new long[] {l.p50Nanos(), l.p99Nanos()};
  }

  public long frames() {
    return frames;
  }

  public long requests() {
    return requests;
  }

  public long errors() {
    return errors;
  }
}

package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The one percentile window against the nearest-rank definition over the last samples. */
class PercentileWindowTest {
  @Test
  void emptyWindowIsAllZero() {
    assertThat(new PercentileWindow(8).snapshot())
        .isEqualTo(new PercentileWindow.Latency(0, 0, 0, 0));
  }

  @Test
  void percentilesAreNearestRankOverTheLastSamplesOnly() {
    Random random = new Random(50);
    for (int size : new int[] {1, 2, 3, 10, 100}) {
      PercentileWindow w = new PercentileWindow(size);
      List<Long> all = new ArrayList<>();
      for (int i = 0; i < 3 * size + 7; i++) {
        long v = random.nextInt(1_000_000);
        w.record(v);
        all.add(v);
        List<Long> recent = all.subList(Math.max(0, all.size() - size), all.size());
        PercentileWindow.Latency l = w.snapshot();
        assertThat(l.samples()).isEqualTo(recent.size());
        assertThat(l.lastNanos()).isEqualTo(v);
        assertThat(l.p50Nanos()).as("p50 of %s", recent).isEqualTo(nearestRank(recent, 50));
        assertThat(l.p99Nanos()).as("p99 of %s", recent).isEqualTo(nearestRank(recent, 99));
      }
    }
  }

  /** The smallest sample that at least p percent of the samples do not exceed. */
  private static long nearestRank(List<Long> samples, int p) {
    long best = Long.MAX_VALUE;
    for (long candidate : samples) {
      long atOrBelow = samples.stream().filter(x -> x <= candidate).count();
      if (atOrBelow * 100 >= (long) p * samples.size() && candidate < best) {
        best = candidate;
      }
    }
    return best;
  }
}

package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.uapi.Errno;
import org.junit.jupiter.api.Test;

class TrafficStatsTest {
  private static final long MS = 1_000_000L;

  @Test
  void requestsPerSecondCountsTheLastSecondOnly() {
    TrafficStats s = new TrafficStats(100);
    Frame req = TrafficFixtures.request(1, 1, false, 0, new byte[0]);
    for (int i = 0; i < 50; i++) {
      s.add(req, 10_000 * MS + i * 10 * MS); // 50 requests over 0.5 s
    }
    assertThat(s.requestsPerSecond(10_499 * MS)).isEqualTo(50);
    // At 11.25 s the window is the buckets from 10.3 s: the requests at 10.30..10.49 s.
    assertThat(s.requestsPerSecond(11_250 * MS)).isEqualTo(20);
    assertThat(s.requestsPerSecond(12_000 * MS)).isZero();
    assertThat(s.requests()).isEqualTo(50);
  }

  @Test
  void percentilesAreOverTheRecentRepliesAndErrorsAreCounted() {
    TrafficStats s = new TrafficStats(100);
    Frame req = TrafficFixtures.request(1, 1, false, 0, new byte[0]);
    for (int i = 1; i <= 300; i++) {
      int status = i % 10 == 0 ? Errno.EINVAL.status() : 0;
      s.add(TrafficFixtures.reply(i, req, status, new byte[0], i * 1000L), 0);
    }
    // The window holds replies 201..300.
    assertThat(s.latencyPercentiles()).containsExactly(250_000L, 299_000L);
    assertThat(s.errors()).isEqualTo(30);
    assertThat(new TrafficStats(10).latencyPercentiles()).containsExactly(0L, 0L);
  }
}

package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.module.Frame;
import org.junit.jupiter.api.Test;

class FrameLogTest {
  @Test
  void keepsTheLastFramesAndTheRequestsOfTheRepliesItKeeps() {
    FrameLog log = new FrameLog(3);
    Frame r1 = TrafficFixtures.request(1, 10, false, 64, new byte[84]);
    Frame a1 = TrafficFixtures.reply(2, r1, 84, new byte[84], 1);
    Frame r2 = TrafficFixtures.request(3, 11, false, 64, new byte[84]);
    Frame a2 = TrafficFixtures.reply(4, r2, 84, new byte[84], 1);
    log.append(r1);
    log.append(a1);
    assertThat(log.requestOf(a1)).isSameAs(r1);
    log.append(r2);
    log.append(a2);
    assertThat(log.appended()).isEqualTo(4);
    assertThat(log.matching(f -> true)).containsExactly(a1, r2, a2);
    assertThat(log.requestOf(a1)).as("r1 left the log").isNull();
    assertThat(log.requestOf(a2)).isSameAs(r2);
    assertThat(log.matching(f -> f.direction() == Frame.Direction.REPLY)).containsExactly(a1, a2);
    log.clear();
    assertThat(log.matching(f -> true)).isEmpty();
  }
}

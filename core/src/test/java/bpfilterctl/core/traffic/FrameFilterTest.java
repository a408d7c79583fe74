package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.IptGetinfo;
import org.junit.jupiter.api.Test;

class FrameFilterTest {
  private final Frame info = TrafficFixtures.request(1, 1, false, 64, IptGetinfo.request("nat"));
  private final Frame failed =
      TrafficFixtures.reply(2, info, Errno.ENOENT.status(), new byte[0], 5);
  private final Frame replace = TrafficFixtures.request(3, 2, true, 64, new byte[96]);

  @Test
  void termsAreAndedAndTypedAsWords() {
    assertThat(FrameFilter.parse("").test(info)).isTrue();
    assertThat(FrameFilter.parse("").all()).isTrue();
    FrameFilter opt = FrameFilter.parse("get_info");
    assertThat(opt.test(info)).isTrue();
    assertThat(opt.test(failed)).isTrue();
    assertThat(opt.test(replace)).isFalse();
    FrameFilter errs = FrameFilter.parse("err");
    assertThat(errs.test(failed)).isTrue();
    assertThat(errs.test(info)).isFalse();
    FrameFilter reqs = FrameFilter.parse("req pid=4242");
    assertThat(reqs.test(info)).isTrue();
    assertThat(reqs.test(failed)).isFalse();
    assertThat(FrameFilter.parse("pid=1").test(info)).isFalse();
    assertThat(FrameFilter.parse("SET_REPLACE reply err pid=7").describe())
        .isEqualTo("SET_REPLACE reply err pid=7");
  }

  @Test
  void handshakesAreATermAndAnyTermCanBeNegated() {
    Frame ping = TrafficFixtures.request(4, 3, false, 0, new byte[0]);
    Frame pong = TrafficFixtures.reply(5, ping, 0, new byte[0], 5);
    assertThat(FrameFilter.parse("handshake").test(ping)).isTrue();
    assertThat(FrameFilter.parse("handshake").test(pong)).isTrue();
    assertThat(FrameFilter.parse("handshake").test(info)).isFalse();
    assertThat(FrameFilter.parse("!handshake").test(ping)).isFalse();
    assertThat(FrameFilter.parse("!handshake").test(info)).isTrue();
    assertThat(FrameFilter.parse("!err").test(failed)).isFalse();
    assertThat(FrameFilter.parse("!err").test(info)).isTrue();
    assertThat(FrameFilter.parse("!get_info req").test(replace)).isTrue();
    assertThat(FrameFilter.parse("!handshake  !reply").describe()).isEqualTo("!handshake !reply");
    assertThat(FrameFilter.parse("!handshake").mentionsHandshakes()).isTrue();
    assertThatThrownBy(() -> FrameFilter.parse("! err")).hasMessage("! needs a word after it");
  }

  @Test
  void aBadPidIsRefusedByName() {
    assertThatThrownBy(() -> FrameFilter.parse("pid=me")).hasMessage("pid needs a number: pid=me");
  }
}

package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.abi.IptGetinfo;
import bpfilterctl.core.mbox.Errno;
import bpfilterctl.core.module.Frame;
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
  void aBadPidIsRefusedByName() {
    assertThatThrownBy(() -> FrameFilter.parse("pid=me")).hasMessage("pid needs a number: pid=me");
  }
}

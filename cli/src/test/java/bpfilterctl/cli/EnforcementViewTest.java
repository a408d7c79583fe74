package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.module.EnforcementStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How status prints the enforcement the umh reported. */
class EnforcementViewTest {
  @Test
  void onShowsTheGenerationEachHookAndThePins() {
    EnforcementStatus on =
        new EnforcementStatus(
            EnforcementStatus.State.ON,
            "",
            7,
            1,
            false,
            "/sys/fs/bpf/bpfilterctl/4026532178",
            List.of(
                new EnforcementStatus.Hook("INPUT", 5581, 135),
                new EnforcementStatus.Hook("OUTPUT", 5582, -1)),
            -1);
    assertThat(StatusView.enforcement(on).lines())
        .containsExactly(
            "enforce ON  generation 7  priority 1",
            "        INPUT    prog id 5581   135 insns",
            "        OUTPUT   prog id 5582   size unknown (adopted)",
            "        pinned  /sys/fs/bpf/bpfilterctl/4026532178");
  }

  @Test
  void aTableWithRejectOrLogShowsTheRecordsLostToAFullRingBuffer() {
    EnforcementStatus on =
        new EnforcementStatus(
            EnforcementStatus.State.ON,
            "",
            2,
            0,
            false,
            "",
            List.of(new EnforcementStatus.Hook("INPUT", 9, 300)),
            12);
    assertThat(StatusView.enforcement(on).lines())
        .containsExactly(
            "enforce ON  generation 2  priority 0",
            "        INPUT    prog id 9      300 insns",
            "        events  12 REJECT/LOG lost (ring buffer full)");
  }

  @Test
  void unavailableSaysWhyAndOffIsOneLine() {
    assertThat(StatusView.enforcement(EnforcementStatus.unavailable("no kernel BTF")).lines())
        .containsExactly(
            "enforce UNAVAILABLE (the module runs unenforced)", "        why     no kernel BTF");
    assertThat(StatusView.enforcement(EnforcementStatus.OFF).lines())
        .containsExactly("enforce OFF");
  }
}

package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EnforcementStatusTest {
  @Test
  void jsonRoundTripsAndAStatusWithoutItReadsAsOff() {
    EnforcementStatus on =
        new EnforcementStatus(
            EnforcementStatus.State.ON,
            "",
            7,
            1,
            true,
            "/sys/fs/bpf/bpfilterctl/4026532178",
            List.of(
                new EnforcementStatus.Hook("INPUT", 41, -1),
                new EnforcementStatus.Hook("OUTPUT", 43, 155)),
            3);
    assertThat(EnforcementStatus.fromJson(on.toJson())).isEqualTo(on);
    // a daemon from before the lost count: unknown, as before any ring buffer
    String noLost = on.toJson().replace(",\"events_lost\":3", "");
    assertThat(noLost).doesNotContain("events_lost");
    assertThat(EnforcementStatus.fromJson(noLost).eventsLost()).isEqualTo(-1);
    EnforcementStatus off = EnforcementStatus.unavailable("no kernel BTF \"x\"");
    assertThat(EnforcementStatus.fromJson(off.toJson())).isEqualTo(off);

    ModuleStatus s =
        new ModuleStatus(
            ModuleState.HEALTHY,
            5,
            null,
            0,
            1,
            0,
            null,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            1.5,
            "ab",
            "",
            0,
            0,
            0,
            on);
    assertThat(ModuleStatus.fromJson(s.toJson()).enforcement()).isEqualTo(on);
    // a daemon from before enforcement: no such key
    String older = s.toJson().replace(",\"enforcement\":" + on.toJson(), "");
    assertThat(older).doesNotContain("enforcement");
    assertThat(ModuleStatus.fromJson(older).enforcement()).isEqualTo(EnforcementStatus.OFF);
  }
}

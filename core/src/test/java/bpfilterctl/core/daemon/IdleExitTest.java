package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.ModuleStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class IdleExitTest {
  private static ModuleStatus status(ModuleState state, long requests) {
    return new ModuleStatus(
        state,
        0,
        null,
        0,
        0,
        0,
        null,
        requests,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        "",
        "",
        0,
        0,
        0,
        EnforcementStatus.OFF);
  }

  @Test
  void aLoadedModuleKeepsItsDaemonHoweverLongItIsQuiet() {
    IdleExit idle = new IdleExit(Duration.ofSeconds(10));
    for (long t = 0; t <= 1_000_000; t += 1000) {
      assertThat(idle.due(status(ModuleState.HEALTHY, 5), t)).isFalse();
    }
    assertThat(idle.due(status(ModuleState.RESTARTING, 5), 2_000_000)).isFalse();
    assertThat(idle.due(status(ModuleState.FAILED, 5), 3_000_000)).isFalse();
  }

  @Test
  void anUnloadedModuleEndsItsDaemonAfterTheIdleTimeWithoutRequests() {
    IdleExit idle = new IdleExit(Duration.ofSeconds(10));
    assertThat(idle.due(status(ModuleState.HEALTHY, 5), 0)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 6), 1_000)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 6), 10_999)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 6), 11_000)).isTrue();
  }

  @Test
  void aRequestOrALoadStartsTheWaitAgain() {
    IdleExit idle = new IdleExit(Duration.ofSeconds(10));
    idle.due(status(ModuleState.UNLOADED, 0), 0);
    assertThat(idle.due(status(ModuleState.UNLOADED, 1), 9_000)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 1), 18_999)).isFalse();
    assertThat(idle.due(status(ModuleState.HEALTHY, 2), 19_000)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 3), 20_000)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 3), 29_999)).isFalse();
    assertThat(idle.due(status(ModuleState.UNLOADED, 3), 30_000)).isTrue();
  }

  @Test
  void theIdleTimeIsPositive() {
    assertThatThrownBy(() -> new IdleExit(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.tmux.Tmux;
import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** With a daemon up, the shell says whose module it uses and that leaving unloads nothing. */
@Timeout(120)
class ShellWithDaemonTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path state;

  @Test
  void theBannerAndExitTellTheTruthAboutADaemonsModule() throws Exception {
    Require.that(Tmux.available(), "tmux is not installed: the shell tests need it");
    Path sock = state.resolve("d.sock");
    try (ModuleHost host = new ModuleHost(Session.embedded().config());
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      host.load();
      try (Tmux tmux =
          Tmux.start(
              120,
              30,
              Map.of(
                  "XDG_STATE_HOME", state.toString(),
                  "BPFILTERCTL_STATE_DIR", state.resolve("bpfilterctl").toString(),
                  "BPFILTERCTL_SOCKET", sock.toString(),
                  "TERM", "xterm-256color"),
              ShellTest.bpfilterctl())) {
        tmux.await("^bpf\\[HEALTHY \\d+\\]> ?$", WAIT);
        String banner = tmux.screen();
        assertThat(banner)
            .contains("module in the daemon at " + sock)
            .contains("(the daemon's module stays loaded)")
            .doesNotContain("embedded");
        tmux.type("exit").send("Enter");
        tmux.await("^leaving; the daemon's module stays loaded\\s*\\n\\[exit 0\\]", WAIT);
        assertThat(tmux.screen()).doesNotContain("unloading");
      }
      assertThat(host.status().state()).isEqualTo(ModuleState.HEALTHY);
    }
  }
}

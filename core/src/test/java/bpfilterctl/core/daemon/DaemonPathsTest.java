package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which daemon a user's commands go to, by who they are, their settings and the system daemon. */
class DaemonPathsTest {
  private static final Path HOME = Path.of("/home/u");

  @Test
  void aUserWhoIsNotRootGoesToTheSystemDaemonWhileItsSocketExists() {
    DaemonPaths p =
        DaemonPaths.fromEnvironment(
            Map.of("XDG_RUNTIME_DIR", "/run/user/1000"),
            false,
            HOME,
            DaemonPaths.SYSTEM_SOCKET::equals);
    assertThat(p).isEqualTo(new DaemonPaths(DaemonPaths.SYSTEM_SOCKET, DaemonPaths.SYSTEM_STATE));
  }

  @Test
  void withoutASystemDaemonAUserHasTheirOwn() {
    assertThat(
            DaemonPaths.fromEnvironment(
                Map.of("XDG_RUNTIME_DIR", "/run/user/1000", "XDG_STATE_HOME", "/s"),
                false,
                HOME,
                p -> false))
        .isEqualTo(
            new DaemonPaths(
                Path.of("/run/user/1000/bpfilterctl/bpfilterctl.sock"), Path.of("/s/bpfilterctl")));
    assertThat(DaemonPaths.fromEnvironment(Map.of(), false, HOME, p -> false))
        .isEqualTo(
            new DaemonPaths(
                HOME.resolve(".local/state/bpfilterctl/bpfilterctl.sock"),
                HOME.resolve(".local/state/bpfilterctl")));
  }

  @Test
  void anExplicitSocketWinsOverTheSystemDaemon() {
    DaemonPaths p =
        DaemonPaths.fromEnvironment(
            Map.of("BPFILTERCTL_SOCKET", "/t/d.sock", "BPFILTERCTL_STATE_DIR", "/t/state"),
            false,
            HOME,
            q -> true);
    assertThat(p).isEqualTo(new DaemonPaths(Path.of("/t/d.sock"), Path.of("/t/state")));
  }

  @Test
  void rootAlwaysHasTheSystemPaths() {
    assertThat(DaemonPaths.fromEnvironment(Map.of("XDG_RUNTIME_DIR", "/r"), true, HOME, p -> false))
        .isEqualTo(new DaemonPaths(DaemonPaths.SYSTEM_SOCKET, DaemonPaths.SYSTEM_STATE));
  }
}

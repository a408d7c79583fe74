package bpfilterctl.core.daemon;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the daemon's socket and state live: BPFILTERCTL_SOCKET and BPFILTERCTL_STATE_DIR when set;
 * for root /run/bpfilterctl and /var/lib/bpfilterctl; otherwise $XDG_RUNTIME_DIR and
 * $XDG_STATE_HOME (or ~/.local/state).
 */
public record DaemonPaths(Path socket, Path stateDir) {
  public static DaemonPaths fromEnvironment(Map<String, String> env, boolean root, Path home) {
    Path socket;
    if (env.containsKey("BPFILTERCTL_SOCKET")) {
      socket = Path.of(env.get("BPFILTERCTL_SOCKET"));
    } else if (root) {
      socket = Path.of("/run/bpfilterctl/bpfilterctl.sock");
    } else if (env.containsKey("XDG_RUNTIME_DIR")) {
      socket = Path.of(env.get("XDG_RUNTIME_DIR"), "bpfilterctl", "bpfilterctl.sock");
    } else {
      socket = home.resolve(".local/state/bpfilterctl/bpfilterctl.sock");
    }
    Path state;
    if (env.containsKey("BPFILTERCTL_STATE_DIR")) {
      state = Path.of(env.get("BPFILTERCTL_STATE_DIR"));
    } else if (root) {
      state = Path.of("/var/lib/bpfilterctl");
    } else if (env.containsKey("XDG_STATE_HOME")) {
      state = Path.of(env.get("XDG_STATE_HOME"), "bpfilterctl");
    } else {
      state = home.resolve(".local/state/bpfilterctl");
    }
    return new DaemonPaths(socket, state);
  }

  public static DaemonPaths ofThisProcess() {
    return fromEnvironment(
        System.getenv(),
        "root".equals(System.getProperty("user.name")),
        Path.of(System.getProperty("user.home")));
  }
}

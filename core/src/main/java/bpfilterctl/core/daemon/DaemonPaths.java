package bpfilterctl.core.daemon;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where the daemon's socket and state live: BPFILTERCTL_SOCKET and BPFILTERCTL_STATE_DIR when set;
 * for root /run/bpfilterctl and /var/lib/bpfilterctl. Another user gets those too while the system
 * daemon's socket exists (as iptables asks the one kernel: a user it refuses is told so, and is
 * never handed a private module instead); else $XDG_RUNTIME_DIR and $XDG_STATE_HOME (or
 * ~/.local/state), for a daemon of their own.
 */
public record DaemonPaths(Path socket, Path stateDir) {
  public static final Path SYSTEM_SOCKET = Path.of("/run/bpfilterctl/bpfilterctl.sock");
  public static final Path SYSTEM_STATE = Path.of("/var/lib/bpfilterctl");

  public static DaemonPaths fromEnvironment(Map<String, String> env, boolean root, Path home) {
    return fromEnvironment(env, root, home, p -> false);
  }

  /**
   * @param exists whether a path exists (the system socket, for a user who is not root)
   */
  public static DaemonPaths fromEnvironment(
      Map<String, String> env, boolean root, Path home, Predicate<Path> exists) {
    boolean system = root || (!env.containsKey("BPFILTERCTL_SOCKET") && exists.test(SYSTEM_SOCKET));
    Path socket;
    if (env.containsKey("BPFILTERCTL_SOCKET")) {
      socket = Path.of(env.get("BPFILTERCTL_SOCKET"));
    } else if (system) {
      socket = SYSTEM_SOCKET;
    } else if (env.containsKey("XDG_RUNTIME_DIR")) {
      socket = Path.of(env.get("XDG_RUNTIME_DIR"), "bpfilterctl", "bpfilterctl.sock");
    } else {
      socket = home.resolve(".local/state/bpfilterctl/bpfilterctl.sock");
    }
    Path state;
    if (env.containsKey("BPFILTERCTL_STATE_DIR")) {
      state = Path.of(env.get("BPFILTERCTL_STATE_DIR"));
    } else if (system) {
      state = SYSTEM_STATE;
    } else if (env.containsKey("XDG_STATE_HOME")) {
      state = Path.of(env.get("XDG_STATE_HOME"), "bpfilterctl");
    } else {
      state = home.resolve(".local/state/bpfilterctl");
    }
    return new DaemonPaths(socket, state);
  }

  /**
   * The paths of a daemon this user runs themself (the daemon command): root's are the system's,
   * another user's their own, whether or not a system daemon exists.
   */
  public static DaemonPaths ownOfThisProcess() {
    return fromEnvironment(
        System.getenv(),
        "root".equals(System.getProperty("user.name")),
        Path.of(System.getProperty("user.home")));
  }

  /** The paths the commands of this process use: the system daemon's while it exists. */
  public static DaemonPaths ofThisProcess() {
    return fromEnvironment(
        System.getenv(),
        "root".equals(System.getProperty("user.name")),
        Path.of(System.getProperty("user.home")),
        p -> Files.exists(p, LinkOption.NOFOLLOW_LINKS));
  }
}

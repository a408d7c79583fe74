package bpfilterctl.cli.hook;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.RecordedScenario;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.TapSubscription;
import bpfilterctl.core.module.UmhImage;
import bpfilterctl.core.uapi.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A daemon in the test's own process, with programs run under the sockopt hook against it: each in
 * a network namespace of its own (`unshare -n`), so that a call the hook failed to catch could only
 * reach a throwaway kernel table, never this machine's.
 */
final class HookedDaemon implements AutoCloseable {
  /** What a hooked program did. */
  record Run(int rc, String output) {}

  private final Path dir;
  private final Path socket;
  private final ModuleHost host;
  private final DaemonServer server;
  private final TapSubscription tap;

  private HookedDaemon(Path dir, AccessPolicy policy, boolean watchdog) throws IOException {
    this.dir = dir;
    this.socket = dir.resolve("d.sock");
    HostConfig.Builder b =
        HostConfig.builder(UmhImage.embedded(List.of()))
            .buffers(10_000, 1 << 16, 256 << 20)
            .tapBytes(1L << 30)
            .stateDir(dir.resolve("state"));
    HostConfig config = (watchdog ? b : b.watchdogInterval(Duration.ZERO)).build();
    this.host = new ModuleHost(config);
    this.tap = host.tap().subscribe(1 << 16);
    this.server = new DaemonServer(host, socket, policy);
    server.start();
  }

  /** A daemon that lets root (the test) do everything. */
  static HookedDaemon start(Path dir) throws IOException {
    return start(dir, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()));
  }

  static HookedDaemon start(Path dir, AccessPolicy policy) throws IOException {
    return new HookedDaemon(dir, policy, true);
  }

  /**
   * One whose umh only a request's own deadline kills: the watchdog's ping would otherwise meet a
   * hung umh first whenever the hooked program is slow to start, and restart it before the
   * program's call arrives.
   */
  static HookedDaemon startWithoutWatchdog(Path dir) throws IOException {
    return new HookedDaemon(
        dir, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()), false);
  }

  /** Skips the test unless the machine can run hooked programs in a namespace of their own. */
  static Path requireHookAndNamespaces() {
    Require.that(
        "root".equals(System.getProperty("user.name")),
        "hooked iptables in a fresh namespace needs root");
    Require.that(onPath("iptables-legacy"), "iptables-legacy is not installed");
    Require.that(onPath("unshare"), "unshare is not installed");
    var lib = HookLibrary.find(System.getenv());
    Require.that(
        lib.isPresent(), "the hook library is not built: " + HookLibrary.notFound(Map.of()));
    return lib.get();
  }

  static boolean onPath(String name) {
    return ProcessReplacer.onPath(name, System.getenv("PATH")).isPresent();
  }

  Path socket() {
    return socket;
  }

  ModuleHost host() {
    return host;
  }

  /** The environment of a hooked program: the library preloaded and our socket. */
  Map<String, String> hookEnv(Path lib) {
    return envWithHook(lib, socket);
  }

  /** This process's environment with the hook preloaded, aimed at {@code socket}. */
  static Map<String, String> envWithHook(Path lib, Path socket) {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove("BPFILTERCTL_BIN"); // a test's hook starts no daemon unless the test says so
    env.remove("BPFILTERCTL_STATE_DIR");
    env.put("LD_PRELOAD", lib.toString());
    env.put("BPFILTERCTL_SOCKET", socket.toString());
    return env;
  }

  /** Runs a bash script under the hook in a fresh network namespace, stderr merged into stdout. */
  Run runHooked(Path lib, String script) throws IOException, InterruptedException {
    return run(List.of("unshare", "-n", "bash", "-e", write(script).toString()), hookEnv(lib));
  }

  /** Runs a command in this daemon's directory; see {@link ProcessResult#run}. */
  Run run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessResult r = ProcessResult.run(dir, env, command.toArray(String[]::new));
    return new Run(r.rc(), r.output());
  }

  private Path write(String script) throws IOException {
    Path f = Files.createTempFile(dir, "script", ".sh");
    Files.writeString(f, script);
    return f;
  }

  /**
   * The IPT_SO_* calls the module answered since the last look, as strace would have shown them to
   * the capture tool (the watchdog's handshakes and our table-names option left out).
   */
  List<RecordedScenario.Call> calls() {
    Map<Long, Frame> requests = new HashMap<>();
    List<RecordedScenario.Call> calls = new ArrayList<>();
    List<Frame> frames = tap.drain();
    if (tap.dropped() > 0) {
      throw new IllegalStateException("the tap dropped frames: raise its limits");
    }
    for (Frame f : frames) {
      if (f.direction() == Frame.Direction.REQUEST) {
        requests.put(f.id(), f);
        continue;
      }
      Frame req = requests.remove(f.id());
      if (req == null || Sockopt.of(req.isSet(), req.cmd()).isEmpty()) {
        continue;
      }
      String name = Sockopt.of(req.isSet(), req.cmd()).get().name();
      if (!name.startsWith("IPT_SO_")) {
        continue;
      }
      if (req.truncated() || f.truncated()) {
        throw new IllegalStateException("the tap cut a payload: raise its limit");
      }
      String op = req.isSet() ? "set" : "get";
      String errno = f.status() < 0 ? Errno.nameOf(-f.status()) : null;
      String buf =
          req.isSet()
              ? HexFormat.of().formatHex(req.payload())
              : f.status() < 0 ? null : HexFormat.of().formatHex(f.payload());
      calls.add(new RecordedScenario.Call(op, name, f.status() < 0 ? -1 : 0, errno, buf).masked());
    }
    return calls;
  }

  @Override
  public void close() throws IOException {
    tap.close();
    server.close();
    host.close();
  }
}

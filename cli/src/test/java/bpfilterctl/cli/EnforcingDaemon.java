package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.EnforcementUnavailable;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * `bpfilterctl daemon --enforce` as the enforcement tests run it, in a namespace they made, and
 * what they wait for: its socket, a status.
 */
final class EnforcingDaemon {
  private static final long WAIT_NANOS = 60_000_000_000L;

  private EnforcingDaemon() {}

  /** Skips (fails under require=all) where enforcement cannot run: no root, no BPF, no BTF. */
  static void assumeEnforcement() {
    Require.root("enforcement in a namespace");
    try {
      // opening attaches nothing: it reads BTF and creates one probe map
      Enforcer.open().close();
    } catch (EnforcementUnavailable e) {
      Require.that(false, "enforcement unavailable here: " + e.getMessage());
    }
  }

  /** Its socket under {@code dir}. */
  static Path socket(Path dir) {
    return dir.resolve("d.sock");
  }

  /** The daemon's command line: socket and state dir under {@code dir}. */
  static List<String> command(Path dir) {
    List<String> cmd = new ArrayList<>(JavaCommand.daemon(Main.class.getName()));
    cmd.addAll(
        List.of(
            "daemon",
            "--enforce",
            "--socket",
            socket(dir).toString(),
            "--state-dir",
            dir.resolve("state").toString()));
    return cmd;
  }

  /** Starts it in the named namespace, its output in {@code dir}/daemon.log. */
  static Process start(String netns, Path dir) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    argv.addAll(command(dir));
    return new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("daemon.log").toFile())
        .start();
  }

  /** What a test does with a running daemon whose module is loaded. */
  interface Use<T> {
    T with(DaemonClient c, Iptables iptables) throws Exception;
  }

  /**
   * Starts the daemon in {@code netns}, loads its module and hands it to {@code use} with an
   * iptables front-end on it; then stops the daemon, which must exit with 0 (leaving the module as
   * {@code use} left it: unloaded, or enforcing for the next daemon to adopt). The daemon is killed
   * whatever happens.
   */
  static <T> T run(String netns, Path dir, Use<T> use) throws Exception {
    Process daemon = start(netns, dir);
    try {
      awaitSocket(socket(dir), daemon);
      T result;
      try (DaemonClient c = DaemonClient.connect(socket(dir))) {
        c.load();
        result =
            use.with(
                c, new Iptables(ModuleSockopts.of(c), XtExtensions.standard(), Lookups.system()));
        c.stopDaemon();
      }
      assertThat(daemon.waitFor()).isZero();
      return result;
    } finally {
      daemon.destroyForcibly();
      daemon.waitFor();
    }
  }

  /** Until the daemon answers on {@code sock}; fails if it exits or takes over 60 s. */
  static void awaitSocket(Path sock, Process daemon) throws InterruptedException {
    long end = System.nanoTime() + WAIT_NANOS;
    while (!DaemonClient.answers(sock)) {
      assertThat(daemon.isAlive()).as("the daemon exited").isTrue();
      assertThat(System.nanoTime()).as("the daemon did not answer in 60 s").isLessThan(end);
      Thread.sleep(50);
    }
  }

  /** The first status that {@code done} accepts; fails after 60 s. */
  static ModuleStatus await(DaemonClient c, Predicate<ModuleStatus> done) throws Exception {
    long end = System.nanoTime() + WAIT_NANOS;
    while (true) {
      ModuleStatus s = c.status();
      if (done.test(s)) {
        return s;
      }
      assertThat(System.nanoTime()).as("waiting for the restart: %s", s).isLessThan(end);
      Thread.sleep(20);
    }
  }

  /** The status once the supervisor has restarted a killed umh, healthy and enforcing again. */
  static ModuleStatus awaitEnforcingAfterOneRestart(DaemonClient c) throws Exception {
    return await(
        c,
        s ->
            s.state() == ModuleState.HEALTHY
                && s.restarts() == 1
                && s.enforcement().state() == EnforcementStatus.State.ON);
  }

  /** One iptables command line through the daemon: no message, status 0. */
  static void iptables(String line, Iptables iptables) throws Exception {
    StringBuilder err = new StringBuilder();
    int rc = iptables.run(List.of(line.split(" ")), new StringBuilder(), err);
    assertThat(err.toString()).as(line).isEmpty();
    assertThat(rc).as(line).isZero();
  }
}

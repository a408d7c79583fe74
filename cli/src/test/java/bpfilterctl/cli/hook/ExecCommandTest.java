package bpfilterctl.cli.hook;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Main;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.module.ModuleException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** `bpfilterctl exec` and `hook env` as one-shots, the way an admin's shell runs them. */
@Timeout(180)
class ExecCommandTest {
  private Path dir;
  private Path lib;
  private Map<String, String> env;

  @BeforeEach
  void setUp() throws IOException {
    lib = HookedDaemon.requireHookAndNamespaces();
    dir = Files.createTempDirectory("exec-command");
    env = new HashMap<>(System.getenv());
    env.remove("LD_PRELOAD");
    env.remove("BPFILTERCTL_BIN");
    env.put("BPFILTERCTL_SOCKET", dir.resolve("d.sock").toString());
    env.put("BPFILTERCTL_STATE_DIR", dir.resolve("state").toString());
    env.put("BPFILTERCTL_HOOK_LIB", lib.toString());
  }

  @AfterEach
  void tearDown() throws IOException, InterruptedException {
    Path sock = dir.resolve("d.sock");
    try (DaemonClient c = DaemonClient.connect(sock)) {
      c.stopDaemon();
    } catch (IOException | ModuleException e) {
      // no daemon was started
    }
    for (int i = 0; i < 100 && Files.exists(sock); i++) {
      Thread.sleep(50); // the daemon removes its socket last
    }
    HookScenarioTest.deleteTree(dir);
  }

  /** bpfilterctl ARGS in a fresh network namespace, as its own process. */
  private ProcessResult bpfilterctl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of("unshare", "-n"));
    cmd.addAll(JavaCommand.ofThisClasspath(Main.class.getName()));
    cmd.addAll(List.of(args));
    return ProcessResult.run(dir, env, cmd.toArray(String[]::new));
  }

  @Test
  void execRunsUnmodifiedIptablesAgainstTheModuleStartingADaemonOnce() throws Exception {
    ProcessResult first =
        bpfilterctl("exec", "iptables-legacy", "-A", "INPUT", "-s", "192.0.2.1", "-j", "DROP");
    assertThat(first.rc()).as(first.output()).isZero();
    assertThat(first.output())
        .startsWith("bpfilterctl: started a daemon (pid ")
        .contains(" on " + dir.resolve("d.sock") + " to keep the module after this command")
        .hasLineCount(1);
    // The daemon holds the rule: our own front-end sees it, and a second exec says nothing more.
    assertThat(bpfilterctl("iptables", "-S", "INPUT").output())
        .isEqualTo("-P INPUT ACCEPT\n-A INPUT -s 192.0.2.1/32 -j DROP\n");
    ProcessResult again = bpfilterctl("exec", "--", "iptables-legacy-save", "-t", "filter");
    assertThat(again.output())
        .contains("-A INPUT -s 192.0.2.1/32 -j DROP\n")
        .doesNotContain("bpfilterctl");
  }

  @Test
  void execGivesTheCommandsExitStatusAndAShellsForAMissingCommand() throws Exception {
    assertThat(bpfilterctl("exec", "sh", "-c", "exit 7").rc()).isEqualTo(7);
    ProcessResult missing = bpfilterctl("exec", "no-such-command-here");
    assertThat(missing.rc()).isEqualTo(127);
    assertThat(missing.output())
        .endsWith("bpfilterctl: exec: no-such-command-here: command not found\n");
  }

  @Test
  void execPassesTheHookAheadOfWhatWasPreloadedAndTheCommandsOwnOptions() throws Exception {
    env.put("LD_PRELOAD", "/lib/x86_64-linux-gnu/libc.so.6");
    ProcessResult r =
        bpfilterctl("exec", "sh", "-c", "echo \"$LD_PRELOAD|$BPFILTERCTL_SOCKET\"", "-L");
    assertThat(r.output().lines().toList())
        .contains(lib + ":/lib/x86_64-linux-gnu/libc.so.6|" + dir.resolve("d.sock"));
  }

  @Test
  void hookEnvPrintsExportLinesThatAShellCanEval() throws Exception {
    ProcessResult r = bpfilterctl("hook", "env");
    assertThat(r.rc()).isZero();
    assertThat(r.output())
        .isEqualTo(
            "export LD_PRELOAD='"
                + lib
                + "'\nexport BPFILTERCTL_SOCKET='"
                + dir.resolve("d.sock")
                + "'\nexport BPFILTERCTL_STATE_DIR='"
                + dir.resolve("state")
                + "'\n");
    ProcessResult evald =
        ProcessResult.run(dir, env, "bash", "-c", r.output() + "echo \"$LD_PRELOAD\"");
    assertThat(evald.output()).isEqualTo(lib + "\n");
  }

  @Test
  void hookEnvQuotesWhatAShellWouldOtherwiseSplit() {
    HookEnvironment he =
        new HookEnvironment(
            Path.of("/opt/it's here/libbpfilterctl-hook.so"),
            new bpfilterctl.core.daemon.DaemonPaths(Path.of("/run/s"), Path.of("/var/lib/s")),
            null);
    assertThat(he.exportLines(Map.of("LD_PRELOAD", "/a.so /b.so")))
        .startsWith("export LD_PRELOAD='/opt/it'\\''s here/libbpfilterctl-hook.so:/a.so:/b.so'\n");
  }
}

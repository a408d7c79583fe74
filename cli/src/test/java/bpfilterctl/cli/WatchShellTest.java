package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.tmux.Tmux;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** watch end to end: the shell in tmux, a command typed in watch's command line, a umh killed. */
class WatchShellTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path state;
  private Tmux tmux;
  private Process daemon;

  @BeforeEach
  void needTmux() {
    Require.that(
        Tmux.available(), "tmux is not installed: the watch tests need it (apt-get install tmux)");
  }

  @AfterEach
  void stop() throws Exception {
    if (tmux != null) {
      tmux.close();
    }
    if (daemon != null) {
      daemon.destroy();
      if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
        daemon.destroyForcibly().waitFor();
      }
    }
  }

  /** Its own state dir and socket: a test must neither use nor change this machine's. */
  private Map<String, String> env() {
    return Map.of(
        "XDG_STATE_HOME", state.toString(),
        "BPFILTERCTL_STATE_DIR", state.resolve("bpfilterctl").toString(),
        "BPFILTERCTL_SOCKET", state.resolve("d.sock").toString(),
        "TERM", "xterm-256color");
  }

  private void shell(int width, int height) throws IOException {
    tmux = Tmux.start(width, height, env(), ShellTest.bpfilterctl());
    tmux.await("^bpf\\[UNLOADED\\]> ?$", WAIT);
  }

  /** What iptables asks first: GET_INFO of filter; and of a table that does not exist. */
  private Path calls() throws IOException {
    HexFormat hex = HexFormat.of();
    byte[] filter = new byte[84];
    byte[] nosuch = new byte[84];
    System.arraycopy("filter".getBytes(StandardCharsets.US_ASCII), 0, filter, 0, 6);
    System.arraycopy("nosuch".getBytes(StandardCharsets.US_ASCII), 0, nosuch, 0, 6);
    Path f = state.resolve("calls.jsonl");
    Files.writeString(
        f,
        "{\"op\":\"get\",\"cmd\":\"IPT_SO_GET_INFO\",\"buf\":\""
            + hex.formatHex(filter)
            + "\"}\n{\"op\":\"get\",\"cmd\":\"IPT_SO_GET_INFO\",\"buf\":\""
            + hex.formatHex(nosuch)
            + "\"}\n");
    return f;
  }

  @Test
  void aCommandTypedInWatchShowsItsFramesWithTheirStatusesAndItsOutput() throws Exception {
    Path calls = calls();
    shell(120, 30);
    tmux.type("load").send("Enter");
    String pid = tmux.await("^bpf\\[HEALTHY (\\d+)\\]> ?$", WAIT).group(1);
    tmux.type("watch").send("Enter");
    tmux.await(
        "^ bpf HEALTHY umh " + pid + " up \\d\\d:\\d\\d:\\d\\d restarts 0 drops 0 \\|", WAIT);
    tmux.await("umh " + pid + " started", WAIT);

    // Only GET_INFO frames: the watchdog's pings would push them out of a small pane.
    tmux.type("/get_info").send("Enter");
    tmux.await("filter: GET_INFO \\(0 shown\\)", WAIT);
    tmux.type(":raw " + calls).send("Enter");
    tmux.await("\\| > raw /", WAIT);
    tmux.await(
        "-> +\\d+ IPT_SO_GET_INFO +get +84 +filter\\s*\\n.*<- +\\d+ IPT_SO_GET_INFO +ok +84 +\\d+[um]s"
            + " +filter +hooks I/F/O  4 entries",
        WAIT);
    tmux.await("<- +\\d+ IPT_SO_GET_INFO +ENOENT +0 +\\d+[um]s +nosuch", WAIT);
    // raw's own output, in the log pane.
    tmux.await("\\| \\{\"rc\": -1, \"errno\": \"ENOENT\"", WAIT);

    // The frame in the detail pane.
    tmux.send("Escape");
    pause(); // else the terminal reads Esc and / as one Alt-/
    tmux.type("/err").send("Enter");
    tmux.await("filter: GET_INFO err \\(1 shown\\)", WAIT);
    tmux.await("^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} <- .*ENOENT", WAIT);
    tmux.send("Enter");
    tmux.await("-- frame \\d+: IPT_SO_GET_INFO ", WAIT);
    tmux.await("^status -2 \\(ENOENT\\)  len 84", WAIT);

    // q gives the terminal back to the shell, which still answers.
    tmux.type("q");
    tmux.await("^bpf\\[HEALTHY " + pid + "\\]> ?$", WAIT);
    tmux.type("status").send("Enter");
    tmux.await("^traffic \\d+ frames, 0 dropped", WAIT);
  }

  @Test
  void anIptablesAppendTypedInWatchShowsLibiptcsFourCallsAndTheRuleInTheDetail() throws Exception {
    shell(120, 30);
    tmux.type("load").send("Enter");
    String pid = tmux.await("^bpf\\[HEALTHY (\\d+)\\]> ?$", WAIT).group(1);
    tmux.type("watch").send("Enter");
    tmux.await("umh " + pid + " started", WAIT);
    // IPT_SO_* frames only: the watchdog's handshakes would push them out of the pane.
    tmux.type("/ipt_so").send("Enter");
    tmux.await("filter: IPT_SO \\(0 shown\\)", WAIT);
    tmux.type(":iptables -A INPUT -j ACCEPT").send("Enter");
    tmux.await("-> +\\d+ IPT_SO_GET_INFO +get +84 +filter", WAIT);
    tmux.await("<- +\\d+ IPT_SO_GET_ENTRIES +ok ", WAIT);
    tmux.await("-> +\\d+ IPT_SO_SET_REPLACE +set +\\d+ +filter +5 entries", WAIT);
    tmux.await("<- +\\d+ IPT_SO_SET_REPLACE +ok ", WAIT);
    tmux.await("<- +\\d+ IPT_SO_SET_ADD_COUNTERS +ok ", WAIT);

    // The replace's detail shows the new table as iptables-save prints it.
    tmux.send("Escape");
    pause();
    tmux.type("/ set_replace").send("Enter");
    tmux.await("filter: .*SET_REPLACE \\(2 shown\\)", WAIT);
    tmux.send("Up");
    tmux.send("Enter");
    tmux.await("-- frame \\d+: IPT_SO_SET_REPLACE ", WAIT);
    tmux.await("-A INPUT -j ACCEPT", WAIT);
    tmux.type("q");
    tmux.await("^bpf\\[HEALTHY " + pid + "\\]> ?$", WAIT);
  }

  @Test
  void aUmhKilledFromAnotherShellShowsItsRestartInTheHeaderAndTheLog() throws Exception {
    Path sock = state.resolve("d.sock");
    ProcessBuilder pb =
        new ProcessBuilder(
                ShellTest.bpfilterctl(
                    "daemon",
                    "--socket",
                    sock.toString(),
                    "--state-dir",
                    state.resolve("bpfilterctl").toString()))
            .redirectErrorStream(true)
            .redirectOutput(state.resolve("daemon.log").toFile());
    pb.environment().putAll(env());
    daemon = pb.start();
    long end = System.nanoTime() + WAIT.toNanos();
    while (!DaemonClient.answers(sock) && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    // Wide enough that the log pane shows a whole death line: the one a watchdog ping writes
    // ("closed its reply pipe without answering during HANDSHAKE; killed by signal 9 (SIGKILL)")
    // is cut at 160 columns, and under load the ping meets the killed umh first.
    shell(300, 40);
    tmux.type("load").send("Enter");
    String pid = tmux.await("^bpf\\[HEALTHY (\\d+)\\]> ?$", WAIT).group(1);
    tmux.type("watch").send("Enter");
    tmux.await("^ bpf HEALTHY umh " + pid + " up \\S+ restarts 0 drops \\d+ \\|", WAIT);

    // Another shell: status --json names the umh; kill -9 it.
    int reported = umhPidFromStatus();
    assertThat(reported).isEqualTo(Integer.parseInt(pid));
    Process kill = new ProcessBuilder("kill", "-9", pid).inheritIO().start();
    assertThat(kill.waitFor()).isZero();

    Matcher m = tmux.await("^ bpf HEALTHY umh (\\d+) up \\S+ restarts 1 drops \\d+ \\|", WAIT);
    assertThat(m.group(1)).isNotEqualTo(pid);
    // noticed between requests ("died") or by a watchdog ping that met the closed pipe
    tmux.await("umh " + pid + " (died: |[^;]+ during HANDSHAKE; )killed by signal 9", WAIT);
    tmux.await("umh " + m.group(1) + " restarted, healthy in \\d+ ms", WAIT);
    assertThat(umhPidFromStatus()).isEqualTo(Integer.parseInt(m.group(1)));
  }

  private static void pause() throws InterruptedException {
    Thread.sleep(300);
  }

  private int umhPidFromStatus() throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(ShellTest.bpfilterctl("status", "--json"));
    pb.environment().putAll(env());
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    Map<String, Object> status = JsonReader.parseObject(out.strip());
    assertThat(status.get("mode")).isEqualTo("daemon");
    assertThat(status.get("socket")).isEqualTo(state.resolve("d.sock").toString());
    return ((Number) status.get("umh_pid")).intValue();
  }
}

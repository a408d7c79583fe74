package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.tmux.Tmux;
import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shell, typed at through tmux: completion, prompt, history, Ctrl-C, Ctrl-D. */
class ShellTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String PROMPT_UNLOADED = "bpf\\[UNLOADED\\]> ?";

  @TempDir Path state;
  private Tmux tmux;

  @BeforeEach
  void start() throws IOException {
    Require.that(
        Tmux.available(), "tmux is not installed: the shell tests need it (apt-get install tmux)");
    tmux =
        Tmux.start(
            100,
            30,
            // Its own state dir and socket: a test must neither use nor change this machine's.
            Map.of(
                "XDG_STATE_HOME", state.toString(),
                "BPFILTERCTL_STATE_DIR", state.resolve("bpfilterctl").toString(),
                "BPFILTERCTL_SOCKET", state.resolve("d.sock").toString(),
                "TERM", "xterm-256color"),
            bpfilterctl());
    tmux.await("^" + PROMPT_UNLOADED + "$", WAIT);
  }

  @AfterEach
  void stop() throws IOException {
    if (tmux != null) {
      tmux.close();
    }
  }

  /** The classes under test and their jars, as surefire gives them to this JVM. */
  static String testClasspath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isEmpty() ? cp : System.getProperty("java.class.path");
  }

  /** bpfilterctl ARGS in a JVM of its own, on the test class path (JavaCommand's flags). */
  static List<String> bpfilterctl(String... args) {
    List<String> cmd = new ArrayList<>(JavaCommand.of(testClasspath(), Main.class.getName()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  @Test
  void tabCompletesCommandsAndTheirOptions() throws IOException {
    tmux.type("sta").send("Tab");
    tmux.await("^" + PROMPT_UNLOADED + "status$", WAIT);
    tmux.type("--j").send("Tab");
    tmux.await("^" + PROMPT_UNLOADED + "status --json$", WAIT);
    tmux.send("Enter");
    tmux.await("^\\{\"mode\":\"embedded\",\"state\":\"UNLOADED\"", WAIT);
    tmux.type("completion ").send("Tab");
    tmux.await("bash\\s+zsh", WAIT);
    tmux.send("C-u", "C-l");
    tmux.type("get i").send("Tab");
    tmux.await("^" + PROMPT_UNLOADED + "get info$", WAIT);
    tmux.type("-t n").send("Tab");
    tmux.await("^" + PROMPT_UNLOADED + "get info -t nat$", WAIT);
    tmux.send("Enter");
    tmux.await("^bpfilterctl: module not loaded", WAIT);
  }

  @Test
  void iptablesCompletesItsCommandsLiveChainsMatchesAndTheirOptions() throws IOException {
    tmux.type("ipt").send("Tab");
    tmux.await("^iptables-save +\\(Print the module.s tables", WAIT);
    tmux.send("C-u", "C-l");
    tmux.type("iptables -N webfront").send("Enter");
    tmux.await("^bpf\\[HEALTHY \\d+\\]>$", WAIT);
    // The user chain just made is offered beside the built-ins: the live table's chains.
    tmux.type("iptables -A ").send("Tab");
    tmux.await("FORWARD\\s+INPUT\\s+OUTPUT\\s+webfront", WAIT);
    tmux.type("w").send("Tab");
    tmux.await("iptables -A webfront$", WAIT);
    tmux.type("-p tcp -m multip").send("Tab");
    tmux.await("-m multiport$", WAIT);
    tmux.type("--dpo").send("Tab");
    tmux.await("^--dport +\\(tcp match[^\\n]*\\n--dports +\\(multiport match", WAIT);
    tmux.type("s 80,443 -j ACC").send("Tab");
    tmux.await("--dports 80,443 -j ACCEPT$", WAIT);
    tmux.send("Enter");
    tmux.type("iptables -S webfront").send("Enter");
    tmux.await("^-A webfront -p tcp -m multiport --dports 80,443 -j ACCEPT$", WAIT);
  }

  /** An SGR sequence that turns the foreground red (31, alone or among other parameters). */
  private static final java.util.regex.Pattern RED =
      java.util.regex.Pattern.compile("\u001b\\[(?:[0-9]+;)*31(?:;[0-9]+)*m");

  @Test
  void iptablesLinesAreColouredByIptablesGrammarAndOnlyRealErrorsAreRed() throws IOException {
    tmux.type("iptables -t filter -A INPUT -p tcp --dport 22 -j ACCEPT ");
    tmux.await("-j ACCEPT$", WAIT);
    String line = promptLine(tmux.screenWithEscapes());
    assertThat(RED.matcher(line).find()).as("red in %s", line).isFalse();
    assertThat(line).as("options are cyan").contains("36m");
    tmux.send("C-u");
    tmux.type("iptables-save -c -t nat ");
    tmux.await("-t nat$", WAIT);
    line = promptLine(tmux.screenWithEscapes());
    assertThat(RED.matcher(line).find()).as("red in %s", line).isFalse();
    tmux.send("C-u");
    // What iptables refuses is red: an option no loaded match has
    tmux.type("iptables -A INPUT --dport 22 ");
    tmux.await("--dport 22$", WAIT);
    line = promptLine(tmux.screenWithEscapes());
    assertThat(RED.matcher(line).find()).as("red in %s", line).isTrue();
  }

  private static String promptLine(String screen) {
    return screen.lines().filter(l -> l.contains("bpf")).reduce((a, b) -> b).orElse("");
  }

  @Test
  void loadShowsTheUmhInThePromptAndCtrlDLeavesAndUnloads() throws IOException {
    tmux.type("load").send("Enter");
    Matcher m = tmux.await("^bpf\\[HEALTHY (\\d+)\\]>$", WAIT);
    long pid = Long.parseLong(m.group(1));
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

    // Ctrl-C drops the half-typed line; the shell, and the umh, stay.
    tmux.type("ping -c 3");
    // ^C is a signal, not input: it must not overtake the typed keys still queued
    tmux.await("^bpf\\[HEALTHY " + pid + "\\]> ping -c 3$", WAIT);
    tmux.send("C-c");
    tmux.await(
        "^bpf\\[HEALTHY " + pid + "\\]> ping -c 3\\s*\\n^bpf\\[HEALTHY " + pid + "\\]>$", WAIT);
    // Keys typed between two prompts meet the terminal in cooked mode, where the tty echoes them
    // and an arrow key's escape may be lost: each key waits for the prompt that reads it.
    String prompt = "^bpf\\[HEALTHY " + pid + "\\]>$";
    tmux.send("Enter");
    tmux.await(prompt + "\\s*\\n" + prompt, WAIT);
    tmux.type("status").send("Enter");
    tmux.await("umh pid " + pid + " .*starts 1  restarts 0(.*\\n)+" + prompt, WAIT);
    assertThat(tmux.screen()).doesNotContain("reply from umh");

    // Up recalls the last line.
    tmux.send("Up");
    tmux.await("^bpf\\[HEALTHY " + pid + "\\]> status$", WAIT);
    tmux.send("C-u", "C-d");
    tmux.await("^unloading the module and leaving\\s*\\n\\[exit 0\\]", WAIT);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }

  @Test
  void ctrlCStopsARunningCommandAndTheShellAndUmhStay() throws IOException {
    tmux.type("load").send("Enter");
    Matcher m = tmux.await("^bpf\\[HEALTHY (\\d+)\\]>$", WAIT);
    String pid = m.group(1);
    tmux.send("C-l");
    tmux.type("ping -c 100000000").send("Enter");
    tmux.await("reply from umh " + pid + ": seq=\\d+", WAIT);
    tmux.send("C-c");
    tmux.await("^\\d+ sent, \\d+ received; rtt min", WAIT);
    tmux.await("^bpf\\[HEALTHY " + pid + "\\]>$", WAIT);
    tmux.type("status").send("Enter");
    tmux.await("umh pid " + pid + " .*starts 1  restarts 0", WAIT);
  }

  @Test
  void logFollowShowsNewLinesUntilCtrlCReturnsToThePrompt() throws IOException {
    tmux.type("load").send("Enter");
    Matcher m = tmux.await("^bpf\\[HEALTHY (\\d+)\\]>$", WAIT);
    long pid = Long.parseLong(m.group(1));
    tmux.send("C-l");
    tmux.type("log -f -n 1").send("Enter");
    tmux.await("^\\S+ host \\d+  umh " + pid + " started, healthy in \\d+ ms$", WAIT);

    // A new line: the host reports the umh's death while the follow runs. The supervisor notices
    // it between requests, or a watchdog ping in flight meets the closed pipe: both say SIGKILL.
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    tmux.await(
        "^\\S+ host \\d+  umh "
            + pid
            + " (died: |[^;]+ during HANDSHAKE; )"
            + "killed by signal 9 \\(SIGKILL\\)",
        WAIT);
    assertThat(tmux.screen()).as("still following").doesNotContainPattern("(?m)^bpf\\[.*\\]>$");

    tmux.send("C-c");
    // back at the prompt: the supervisor restarting the umh, or (on a busy machine, where the
    // Ctrl-C comes later) already done with it; the killed pid cannot be HEALTHY
    Matcher prompt = tmux.await("^bpf\\[(RESTARTING|HEALTHY (\\d+))\\]>$", WAIT);
    if (prompt.group(2) != null) {
      assertThat(Long.parseLong(prompt.group(2))).isNotEqualTo(pid);
    }
    tmux.type("status").send("Enter");
    tmux.await("^last +umh " + pid + " killed by signal 9", WAIT);
  }

  @Test
  void historyGoesToTheXdgStateDirAndSurvivesTheShell() throws IOException {
    tmux.type("status --json").send("Enter");
    tmux.await("\"state\":\"UNLOADED\"", WAIT);
    tmux.type("exit").send("Enter");
    tmux.await("\\[exit 0\\]", WAIT);
    Path history = state.resolve("bpfilterctl").resolve("history");
    assertThat(Files.readString(history)).contains("status --json").contains("exit");
  }

  @Test
  void aBackslashContinuesTheLineAndErrorsDoNotEndTheShell() throws IOException {
    tmux.type("status \\").send("Enter");
    tmux.type("--json").send("Enter");
    tmux.await("^\\{\"mode\":\"embedded\",\"state\":\"UNLOADED\"", WAIT);
    tmux.type("frobnicate").send("Enter");
    tmux.await("^bpfilterctl: unknown command 'frobnicate'$", WAIT);
    tmux.type("exit 3").send("Enter");
    tmux.await("\\[exit 3\\]", WAIT);
  }

  @Test
  void anOpenQuoteContinuesTheLineAndQuotedFileNamesComplete() throws IOException {
    // inside double quotes backslash-newline joins, as in sh: the word is --json
    tmux.type("status \"--js\\").send("Enter");
    tmux.type("on\"").send("Enter");
    tmux.await("^\\{\"mode\":\"embedded\",\"state\":\"UNLOADED\"", WAIT);
    Files.writeString(state.resolve("my calls.jsonl"), "");
    tmux.send("C-l");
    tmux.type("raw '" + state + "/my c").send("Tab");
    // (tmux drops the blank that follows a completed word)
    String dir = Pattern.quote(state.toString());
    tmux.await("^" + PROMPT_UNLOADED + "raw '" + dir + "/my calls\\.jsonl'$", WAIT);
    tmux.send("C-u", "C-l");
    tmux.type("raw " + state + "/my\\ c").send("Tab");
    tmux.await("^" + PROMPT_UNLOADED + "raw " + dir + "/my\\\\ calls\\.jsonl$", WAIT);
  }
}

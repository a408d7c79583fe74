package bpfilterctl.completions;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The generated bash script, run by bash as its completion system would: COMP_* in, COMPREPLY out.
 */
class BashCompletionTest {
  static final Path SCRIPT = Path.of("target", "completions", "bash", "bpfilterctl");

  @BeforeAll
  static void needBash() {
    Require.command("bash", "bash");
  }

  /** COMPREPLY for the words typed so far, the last one being completed. */
  static List<String> complete(String... words) throws IOException, InterruptedException {
    return completeWith("_complete_bpfilterctl", words);
  }

  /** COMPREPLY from {@code function}, the words typed so far, the last one being completed. */
  static List<String> completeWith(String function, String... words)
      throws IOException, InterruptedException {
    StringBuilder arr = new StringBuilder();
    for (String w : words) {
      arr.append(" '").append(w.replace("'", "'\\''")).append('\'');
    }
    String line = String.join(" ", words);
    String script =
        "source "
            + SCRIPT.toAbsolutePath()
            + " || exit 9\n"
            // compopt only works inside a real completion; what it tunes is display, not matches.
            + "compopt() { :; }\n"
            + "COMP_WORDS=("
            + arr
            + ")\n"
            + "COMP_CWORD="
            + (words.length - 1)
            + "\n"
            + "COMP_LINE='"
            + line.replace("'", "'\\''")
            + "'\n"
            + "COMP_POINT=${#COMP_LINE}\n"
            + function
            + "\n"
            + "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
    Process p = new ProcessBuilder("bash", "--norc", "-c", script).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(err).isZero();
    return out.lines().filter(s -> !s.isEmpty()).toList();
  }

  @Test
  void commands() throws Exception {
    assertThat(complete("bpfilterctl", "sta")).containsExactly("status");
    assertThat(complete("bpfilterctl", ""))
        .contains("load", "unload", "status", "ping", "log", "raw", "completion", "help", "exit");
  }

  @Test
  void optionsOfASubcommand() throws Exception {
    assertThat(complete("bpfilterctl", "status", "--j")).containsExactly("--json");
    assertThat(complete("bpfilterctl", "ping", "-")).contains("-c", "--count", "--json", "-h");
  }

  @Test
  void optionAndPositionalValues() throws Exception {
    assertThat(complete("bpfilterctl", "--color", "")).containsExactly("auto", "always", "never");
    assertThat(complete("bpfilterctl", "completion", "")).containsExactly("bash", "zsh");
    assertThat(complete("bpfilterctl", "enforce", "")).containsExactly("on", "off");
    assertThat(complete("bpfilterctl", "load", "--enf")).containsExactly("--enforce");
  }

  @Test
  void getAndSetNestTheirSubcommandsAndCompleteTables() throws Exception {
    assertThat(complete("bpfilterctl", "get", "")).contains("info", "entries", "revision");
    assertThat(complete("bpfilterctl", "set", "")).contains("replace", "counters");
    assertThat(complete("bpfilterctl", "get", "info", "-t", ""))
        .containsExactly("filter", "nat", "mangle", "raw", "security");
    assertThat(complete("bpfilterctl", "get", "revision", "match", "conn"))
        .contains("conntrack", "connmark");
  }

  @org.junit.jupiter.api.io.TempDir static Path tmp;

  /** What `complete -p bpfilterctl` registers, with the tool itself as the first word. */
  static List<String> completeAsRegistered(String... words) throws Exception {
    String[] all = new String[words.length + 1];
    all[0] = Shells.tool(tmp.resolve("bin"), tmp.resolve("state")).toString();
    System.arraycopy(words, 0, all, 1, words.length);
    return completeWith("_bpfilterctl_complete", all);
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void iptablesArgumentsAreCompletedByTheToolAsInTheShell() throws Exception {
    assertThat(completeAsRegistered("iptables", "-A", "IN")).containsExactly("INPUT");
    assertThat(completeAsRegistered("iptables", "-A", "INPUT", "-p", "tcp", "--d"))
        .contains("--dport", "--destination-port", "--destination")
        .doesNotContain("--sport");
    assertThat(completeAsRegistered("iptables", "-t", ""))
        .containsExactly("filter", "nat", "mangle", "raw", "security");
    assertThat(completeAsRegistered("--color", "never", "iptables-save", "-"))
        .contains("-c", "--counters", "-t");
    // the rest is still picocli's
    assertThat(completeAsRegistered("sta")).containsExactly("status");
  }

  @Test
  void theScriptRegistersTheFunctionThatKnowsIptablesLines() throws Exception {
    Process p =
        new ProcessBuilder(
                "bash",
                "--norc",
                "-c",
                "source " + SCRIPT.toAbsolutePath() + "; complete -p bpfilterctl")
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(out.strip()).isEqualTo("complete -o default -F _bpfilterctl_complete bpfilterctl");
  }

  /** Every visible command at every depth, with the words that lead to it (root excluded). */
  static Map<List<String>, CommandSpec> modelCommands() {
    PrintWriter sink = new PrintWriter(new StringWriter());
    Map<List<String>, CommandSpec> out = new LinkedHashMap<>();
    try (Session s = Session.embedded()) {
      collect(Commands.create(s, sink, sink), List.of(), out);
    }
    return out;
  }

  private static void collect(
      CommandLine cl, List<String> path, Map<List<String>, CommandSpec> into) {
    for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
      CommandSpec spec = sub.getValue().getCommandSpec();
      if (spec.usageMessage().hidden() || !sub.getKey().equals(spec.name())) {
        continue; // hidden, or an alias of a command listed under its name
      }
      List<String> words = new ArrayList<>(path);
      words.add(spec.name());
      into.put(words, spec);
      collect(sub.getValue(), words, into);
    }
  }

  /** Issue 16: the script covers every command of the model, and every long option of each. */
  @Test
  @org.junit.jupiter.api.Timeout(300)
  void everyCommandAndItsLongOptionsComplete() throws Exception {
    Map<List<String>, CommandSpec> all = modelCommands();
    assertThat(all).hasSizeGreaterThan(25);
    List<String> missing = new ArrayList<>();
    for (Map.Entry<List<String>, CommandSpec> c : all.entrySet()) {
      List<String> words = new ArrayList<>(List.of("bpfilterctl"));
      words.addAll(c.getKey().subList(0, c.getKey().size() - 1));
      words.add("");
      if (!complete(words.toArray(String[]::new)).contains(c.getValue().name())) {
        missing.add(String.join(" ", c.getKey()) + ": not offered after " + words);
      }
      List<String> longs =
          c.getValue().options().stream()
              .filter(o -> !o.hidden())
              .map(o -> o.longestName())
              .filter(n -> n.startsWith("--"))
              .toList();
      if (longs.isEmpty()) {
        continue;
      }
      words.set(words.size() - 1, c.getValue().name());
      words.add("--");
      List<String> offered = complete(words.toArray(String[]::new));
      for (String o : longs) {
        if (!offered.contains(o)) {
          missing.add(String.join(" ", c.getKey()) + ": " + o + " not offered");
        }
      }
    }
    assertThat(missing).isEmpty();
  }
}

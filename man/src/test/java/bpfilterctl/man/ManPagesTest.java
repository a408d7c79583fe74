package bpfilterctl.man;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Every generated page renders with man and groff without a warning, and has its sections. */
class ManPagesTest {
  static final Path DIR = Path.of("target", "man", "man1");
  static final Path DIR8 = Path.of("target", "man", "man8");

  static List<Path> pages() throws IOException {
    try (Stream<Path> s = Stream.concat(Files.list(DIR), Files.list(DIR8))) {
      return s.filter(p -> p.toString().matches(".*\\.[18]")).sorted().toList();
    }
  }

  /** Every visible command at every depth, from the model: a new command is covered at once. */
  static List<CommandSpec> commands() {
    PrintWriter sink = new PrintWriter(new StringWriter());
    try (Session s = Session.embedded()) {
      List<CommandSpec> out = new ArrayList<>();
      collect(Commands.create(s, sink, sink), out);
      return out;
    }
  }

  private static void collect(CommandLine cl, List<CommandSpec> into) {
    CommandSpec spec = cl.getCommandSpec();
    if (!into.contains(spec) && !spec.usageMessage().hidden()) {
      into.add(spec);
      cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
  }

  static String man(Path page) throws Exception {
    Run r = run(Map.of("MANWIDTH", "100"), "man", "-l", page.toString());
    assertThat(r.rc()).isZero();
    return r.out();
  }

  /** The text of one section of a rendered page, up to the next heading. */
  static String section(String text, String heading) {
    Matcher m =
        Pattern.compile("(?ms)^" + Pattern.quote(heading) + "\\n(.*?)(?=^[A-Z][A-Z ]+\\n|\\z)")
            .matcher(text);
    return m.find() ? m.group(1) : "";
  }

  @Test
  void everyCommandOfTheModelHasItsPageInItsSection() throws IOException {
    List<String> files = pages().stream().map(p -> p.getFileName().toString()).toList();
    List<CommandSpec> all = commands();
    assertThat(all).hasSizeGreaterThan(25);
    List<String> expected = new ArrayList<>();
    for (CommandSpec c : all) {
      String name = c.qualifiedName("-");
      boolean admin = List.of("iptables", "iptables-save", "iptables-restore").contains(c.name());
      expected.add(name + (admin ? ".8" : ".1"));
    }
    // a page per command, and no page left of a command that is gone
    assertThat(files).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(files).doesNotContain("bpfilterctl-__complete.1");
  }

  @Test
  void namesAreWholeSummariesAndDescriptionsDoNotRepeatThem() throws Exception {
    Require.command("man", "man-db");
    String ipt = man(DIR8.resolve("bpfilterctl-iptables.8"));
    assertThat(ipt).startsWith("BPFILTERCTL-IPTABLES(8)");
    assertThat(section(ipt, "NAME").replaceAll("\\s+", " ").strip())
        .isEqualTo("bpfilterctl-iptables - Run iptables-legacy 1.8.9 against the module.");
    assertThat(section(ipt, "DESCRIPTION")).doesNotContain("Run iptables-legacy").contains("byte");
    for (Path page : pages()) {
      String name = section(man(page), "NAME").replaceAll("\\s+", " ").strip();
      assertThat(name).as(page.toString()).matches("\\S+ - [A-Z].*[.?]");
    }
  }

  @Test
  void everyPageSaysWhereTheSocketAndStateAreAndExitStatusesAreListedOnce() throws Exception {
    Require.command("man", "man-db");
    for (Path page : pages()) {
      String text = man(page);
      assertThat(text)
          .as(page.toString())
          .contains("ENVIRONMENT", "FILES")
          .contains(
              "BPFILTERCTL_SOCKET", "BPFILTERCTL_STATE_DIR", "XDG_RUNTIME_DIR", "XDG_STATE_HOME")
          .contains("bpfilterctl.sock", "daemon.log", "tables/");
      assertThat(Pattern.compile("(?m)^EXIT STATUS$").matcher(text).results().count())
          .as(page.toString())
          .isLessThanOrEqualTo(1);
    }
    String exit = section(man(DIR8.resolve("bpfilterctl-iptables.8")), "EXIT STATUS");
    assertThat(Pattern.compile("(?m)^\\s*4\\b").matcher(exit).results().count()).isEqualTo(1);
    String daemon = man(DIR.resolve("bpfilterctl-daemon.1"));
    assertThat(daemon).contains("see ENVIRONMENT").contains("ENVIRONMENT\n");
  }

  @Test
  void theIptablesPagesPointToIptablesAndTheSystemdUnit() throws Exception {
    Require.command("man", "man-db");
    for (String p : List.of("bpfilterctl-iptables.8", "bpfilterctl-iptables-save.8")) {
      assertThat(section(man(DIR8.resolve(p)), "SEE ALSO"))
          .contains(
              "iptables(8)", "iptables-save(8)", "iptables-restore(8)", "bpfilterctl.service");
    }
    assertThat(section(man(DIR.resolve("bpfilterctl.1")), "SEE ALSO"))
        .contains("bpfilterctl-iptables(8)", "bpfilterctl-status(1)", "iptables(8)");
    assertThat(section(man(DIR.resolve("bpfilterctl.1")), "NOTES"))
        .contains("starts one")
        .doesNotContain("unloaded when that process ends");
  }

  record Run(int rc, String out, String err) {}

  static Run run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, err);
  }

  static boolean has(String tool) {
    try {
      return run(Map.of(), "sh", "-c", "command -v " + tool).rc() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void aPagePerCommand() throws IOException {
    assertThat(pages().stream().map(p -> p.getFileName().toString()))
        .contains(
            "bpfilterctl.1",
            "bpfilterctl-load.1",
            "bpfilterctl-unload.1",
            "bpfilterctl-enforce.1",
            "bpfilterctl-status.1",
            "bpfilterctl-ping.1",
            "bpfilterctl-log.1",
            "bpfilterctl-raw.1",
            "bpfilterctl-get.1",
            "bpfilterctl-get-info.1",
            "bpfilterctl-get-entries.1",
            "bpfilterctl-get-revision.1",
            "bpfilterctl-get-revision-match.1",
            "bpfilterctl-get-revision-target.1",
            "bpfilterctl-set.1",
            "bpfilterctl-set-replace.1",
            "bpfilterctl-set-counters.1",
            "bpfilterctl-completion.1",
            "bpfilterctl-help.1",
            "bpfilterctl-exit.1",
            "bpfilterctl-iptables.8");
  }

  @Test
  void manRendersEveryPageWithoutAWarning() throws Exception {
    Require.command("man", "man-db");
    for (Path page : pages()) {
      Run r = run(Map.of("MANWIDTH", "80"), "man", "-l", page.toString());
      assertThat(r.err()).as("man -l %s", page).isEmpty();
      assertThat(r.rc()).isZero();
      assertThat(r.out()).contains("NAME", "SYNOPSIS", "SEE ALSO");
    }
  }

  @Test
  void groffFindsNothingToWarnAbout() throws Exception {
    Require.command("groff", "groff-base");
    for (Path page : pages()) {
      Run r = run(Map.of(), "groff", "-ww", "-z", "-man", page.toString());
      assertThat(r.err()).as("groff -ww %s", page).isEmpty();
    }
  }

  @Test
  void theMainPageHasExamplesExitStatusFilesAndEnvironment() throws Exception {
    Require.command("man", "man-db");
    String text =
        run(Map.of("MANWIDTH", "80"), "man", "-l", DIR.resolve("bpfilterctl.1").toString()).out();
    assertThat(text)
        .contains("EXAMPLES", "EXIT STATUS", "ENVIRONMENT", "FILES")
        .contains("NO_COLOR", "XDG_STATE_HOME", "bpfilterctl/history")
        .contains("module not loaded")
        .contains("bpfilterctl-status(1)");
    String status =
        run(Map.of("MANWIDTH", "80"), "man", "-l", DIR.resolve("bpfilterctl-status.1").toString())
            .out();
    assertThat(status).contains("--json", "EXAMPLES", "EXIT STATUS", "bpfilterctl(1)");
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.shell.Shell;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The conventions: help, version, usage errors, exit, completion scripts and colour. */
class OneShotTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(boolean colour, String... args) {
    try (Session s = Session.embedded()) {
      return Commands.create(
              s, new Io(new PrintWriter(out, true), new PrintWriter(err, true), colour, false))
          .execute(args);
    }
  }

  @Test
  void theModelIsBuiltAndDocumentedWithoutTouchingTheHost() {
    // The man pages and completion scripts are generated from a model built at build time: nothing
    // may be spawned, hashed or opened until a command uses the host.
    try (Session s =
        new Session(
            () -> {
              throw new AssertionError("the host config was asked for");
            },
            bpfilterctl.cli.complete.ChainSource.BUILTIN)) {
      var pw = new PrintWriter(out, true);
      assertThat(Commands.create(s, pw, pw).execute("--help")).isZero();
      assertThat(Commands.create(s, pw, pw).execute("completion", "bash")).isZero();
      assertThat(Commands.create(s, pw, pw).execute("help", "raw")).isZero();
      assertThat(s.existingHost()).isEmpty();
    }
  }

  @Test
  void versionAndHelp() {
    assertThat(run(false, "--version")).isZero();
    assertThat(out.toString()).isEqualTo("bpfilterctl 0.1.0\n");
    assertThat(run(false, "help", "status")).isZero();
    assertThat(out.toString()).contains("Usage: bpfilterctl status [-h] [--json]");
    assertThat(run(false, "ping", "--help")).isZero();
    assertThat(out.toString()).contains("Examples:");
  }

  @Test
  void usageErrorsGoToStderrWithStatus2() {
    assertThat(run(false, "status", "--jsn")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "bpfilterctl status: unknown option '--jsn' (did you mean --json?)\n"
                + "See 'bpfilterctl status --help'.\n");
    assertThat(out.toString()).isEmpty();
    assertThat(run(false, "--color=sometimes")).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anUnknownCommandIsNamedWithTheNearestOnesAndNoHelpPage() {
    assertThat(run(false, "stauts")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo(
            "bpfilterctl: unknown command 'stauts' (did you mean status?)\n"
                + "See 'bpfilterctl --help' for the commands.\n");
    err.getBuffer().setLength(0);
    assertThat(run(false, "lod")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .startsWith("bpfilterctl: unknown command 'lod' (did you mean load or log?)");
    err.getBuffer().setLength(0);
    assertThat(run(false, "get", "infoo")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .startsWith("bpfilterctl get: unknown command 'infoo' (did you mean info?)");
    assertThat(
            UsageErrors.nearest(
                "iptables-sav", java.util.List.of("iptables", "iptables-save", "iptables-restore")))
        .containsExactly("iptables-save", "iptables");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aModuleFailureUnderJsonIsAnErrorObjectOnStdout() {
    assertThat(run(false, "ping", "-c", "1", "--json")).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(out.toString())
        .startsWith("{\"sent\":1,\"received\":0,\"min_ns\":null,\"p50_ns\":null,");
    out.getBuffer().setLength(0);
    assertThat(run(false, "get", "info", "--json")).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(out.toString())
        .isEqualTo(
            "{\"error\":{\"option\":null,\"errno\":\"ECHILD\",\"code\":10,"
                + "\"kind\":\"not_loaded\",\"message\":\"module not loaded\"}}\n");
  }

  private int runGlobal(String... args) {
    try (Session s = Session.embedded()) {
      return GlobalFlags.execute(
          s, new Io(new PrintWriter(out, true), new PrintWriter(err, true), false, false), args);
    }
  }

  @Test
  void globalJsonAndQuietBeforeTheCommandAsNftAndSystemctlTakeThem() {
    assertThat(runGlobal("-j", "status")).isZero();
    assertThat(out.toString()).startsWith("{\"mode\":\"embedded\",\"state\":\"UNLOADED\"");
    out.getBuffer().setLength(0);
    assertThat(runGlobal("--json", "get", "info", "-t", "nat")).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(out.toString()).startsWith("{\"error\":{");
    out.getBuffer().setLength(0);
    assertThat(runGlobal("-q", "status")).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(runGlobal("-q", "ping", "-c", "1")).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).contains("module not loaded");
    err.getBuffer().setLength(0);
    assertThat(runGlobal("-j", "load")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo("bpfilterctl: bpfilterctl load has no JSON output (-j/--json)\n");
    assertThat(Main.namesACommand(new String[] {"-q", "iptables", "-L"})).isTrue();
    assertThat(Main.namesACommand(new String[] {"--color", "never", "status"})).isTrue();
    assertThat(Main.namesACommand(new String[] {"--batch", "x"})).isFalse();
    assertThat(Main.namesACommand(new String[] {})).isFalse();
  }

  @Test
  void logSinceTakesAnAgeATimeOfTodayOrAnInstant() {
    java.time.Instant now = java.time.Instant.parse("2026-12-02T14:30:00Z");
    java.time.ZoneId utc = java.time.ZoneOffset.UTC;
    assertThat(bpfilterctl.cli.commands.LogCommand.since("10m", now, utc))
        .isEqualTo(java.time.Instant.parse("2026-12-02T14:20:00Z"));
    assertThat(bpfilterctl.cli.commands.LogCommand.since("14:05", now, utc))
        .isEqualTo(java.time.Instant.parse("2026-12-02T14:05:00Z"));
    assertThat(bpfilterctl.cli.commands.LogCommand.since("2026-12-01T00:00:00Z", now, utc))
        .isEqualTo(java.time.Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(runGlobal("log", "--since", "yesterday-ish")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--since: 'yesterday-ish' is not an age");
  }

  @Test
  void logSinceShowsOnlyTheLinesFromThen() {
    try (Session s = Session.embedded()) {
      Io io = new Io(new PrintWriter(out, true), new PrintWriter(err, true), false, true);
      assertThat(Commands.create(s, io).execute("load")).isZero();
      out.getBuffer().setLength(0);
      assertThat(Commands.create(s, io).execute("log", "--since", "1h")).isZero();
      assertThat(out.toString()).contains("started, healthy in");
      out.getBuffer().setLength(0);
      String later = java.time.Instant.now().plusSeconds(3600).toString();
      assertThat(Commands.create(s, io).execute("log", "--since", later)).isZero();
      assertThat(out.toString()).isEmpty();
    }
  }

  @Test
  void countersListsTheRulesWithTheirCountersEveryInterval() {
    try (Session s = Session.embedded()) {
      Io io = new Io(new PrintWriter(out, true), new PrintWriter(err, true), false, true);
      assertThat(
              Commands.create(s, io)
                  .execute("iptables", "-A", "INPUT", "-s", "192.0.2.7", "-j", "ACCEPT"))
          .isZero();
      assertThat(Commands.create(s, io).execute("set", "counters", "--counters", "0:7:420"))
          .isZero();
      out.getBuffer().setLength(0);
      assertThat(Commands.create(s, io).execute("counters", "-c", "2", "-i", "0.05")).isZero();
      String text = out.toString();
      assertThat(text.split("Chain INPUT \\(policy ACCEPT 0 packets, 0 bytes\\)", -1)).hasSize(3);
      assertThat(text).containsPattern("(?m)^ +7 +420 ACCEPT +0 +-- +\\* +\\* +192\\.0\\.2\\.7 ");
      assertThat(text).doesNotContain("\033[");
      assertThat(err.toString()).isEmpty();
      assertThat(Commands.create(s, io).execute("counters", "-t", "nosuch", "-c", "1"))
          .isEqualTo(3);
    }
  }

  @Test
  void exitStopsABatchWithItsStatus() {
    assertThat(run(false, "exit", "3")).isEqualTo(3);
  }

  @Test
  void completionPrintsBashAndZshScripts() {
    assertThat(run(false, "completion", "bash")).isZero();
    assertThat(out.toString()).contains("complete -F _complete_bpfilterctl");
    out.getBuffer().setLength(0);
    assertThat(run(false, "completion", "zsh")).isZero();
    assertThat(out.toString())
        .startsWith("#compdef bpfilterctl\n")
        .contains("_arguments", "_describe -t commands")
        .doesNotContain("bashcompinit");
  }

  @Test
  void colourOnlyWhenAllowed() {
    run(false, "--help");
    assertThat(out.toString()).doesNotContain("\033[");
    out.getBuffer().setLength(0);
    run(true, "--help");
    assertThat(out.toString()).contains("\033[");
  }

  @Test
  void colourModeFollowsTheFlagThenNoColorThenTheTerminal() {
    assertThat(ColorMode.scan(new String[] {"--color=never", "status"})).isEqualTo(ColorMode.NEVER);
    assertThat(ColorMode.scan(new String[] {"--color", "always"})).isEqualTo(ColorMode.ALWAYS);
    assertThat(ColorMode.AUTO.enabled(null, true)).isTrue();
    assertThat(ColorMode.AUTO.enabled("1", true)).isFalse();
    assertThat(ColorMode.AUTO.enabled("", true)).isTrue();
    assertThat(ColorMode.AUTO.enabled(null, false)).isFalse();
    assertThat(ColorMode.ALWAYS.enabled("1", false)).isTrue();
    assertThat(ColorMode.NEVER.enabled(null, true)).isFalse();
  }

  @Test
  void historyLivesInTheXdgStateDir() {
    assertThat(Shell.historyFile(Map.of("XDG_STATE_HOME", "/s")))
        .isEqualTo(Path.of("/s/bpfilterctl/history"));
    assertThat(Shell.historyFile(Map.of("HOME", "/h")))
        .isEqualTo(Path.of("/h/.local/state/bpfilterctl/history"));
    assertThat(Shell.historyFile(Map.of("HOME", "/h", "XDG_STATE_HOME", "")))
        .isEqualTo(Path.of("/h/.local/state/bpfilterctl/history"));
    assertThat(Shell.historyFile(Map.of()))
        .isEqualTo(Path.of(System.getProperty("user.home"), ".local/state/bpfilterctl/history"));
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    try (Session s = Session.embedded()) {
      return Commands.create(s, new PrintWriter(out, true), new PrintWriter(err, true))
          .execute(args);
    }
  }

  private String batch(String text) throws IOException {
    Path f = dir.resolve("cmds");
    Files.writeString(f, text);
    return f.toString();
  }

  @Test
  void aBatchSharesOneHostAcrossItsLines() throws IOException {
    int rc =
        run("--batch", batch("load\nping -c 3 --json\nstatus --json\nunload\nstatus --json\n"));
    assertThat(rc).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[0]).matches("module loaded: umh pid \\d+ healthy in \\d+ ms");
    assertThat(lines[1]).startsWith("{\"sent\":3,\"received\":3,");
    assertThat(lines[2])
        .startsWith("{\"mode\":\"embedded\",\"state\":\"HEALTHY\"")
        .contains("\"requests\":3,");
    assertThat(lines[3]).matches("module unloaded: umh pid \\d+ exited with 0");
    assertThat(lines[4]).startsWith("{\"mode\":\"embedded\",\"state\":\"UNLOADED\",\"umh_pid\":0,");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aBatchStopsAtTheFirstFailureWithItsStatus() throws IOException {
    int rc = run("--batch", batch("status\nping\nstatus --json\n"));
    assertThat(rc).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(err.toString()).contains("module not loaded");
    assertThat(out.toString()).doesNotContain("\"state\"");
  }

  @Test
  void aBatchsMessagesSayWhichFileAndLineTheyComeFrom() throws IOException {
    String f =
        batch(
            "# set-up\niptables -N web\niptables -A web \\\n  -j ACCEPT\n"
                + "iptables -A nosuch -j ACCEPT\nstatus\n");
    int rc = run("--batch", f);
    assertThat(rc).isEqualTo(1);
    assertThat(err.toString()).isEqualTo(f + ":5: iptables: No chain/target/match by that name.\n");
    err.getBuffer().setLength(0);
    assertThat(run("--batch", batch("status\nstatus 'x\n"))).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith(dir.resolve("cmds") + ":2: bpfilterctl: ");
  }

  @Test
  void keepGoingRunsEveryLineAndReportsTheLastFailure() throws IOException {
    int rc = run("--keep-going", "--batch", batch("ping\nnosuchcommand\nstatus --json\n"));
    assertThat(rc).isEqualTo(ExitCodes.USAGE);
    assertThat(out.toString()).contains("{\"mode\":\"embedded\",\"state\":\"UNLOADED\"");
  }

  @Test
  void commentsBlankLinesQuotesAndContinuationsAreUnderstood() throws IOException {
    int rc = run("--batch", batch("# a comment\n\nstatus \\\n  --json   # trailing\n"));
    assertThat(rc).isZero();
    assertThat(out.toString()).startsWith("{\"mode\":\"embedded\",\"state\":\"UNLOADED\"");
  }

  @Test
  void aQuoteOrABackslashGoesOnToTheNextLineAsInTheShell() throws IOException {
    // the quoted newline is part of the word: "--json\n" is no option
    int rc = run("--batch", batch("status '--json\n'\nstatus --json\n"));
    assertThat(rc).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).startsWith(dir.resolve("cmds") + ":1: ");
    assertThat(out.toString()).doesNotContain("\"state\"");
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    // backslash-newline joins (as in sh); a backslash in a comment continues nothing
    rc = run("--batch", batch("status --js\\\non # x \\\nstatus --json\n"));
    assertThat(rc).isZero();
    assertThat(out.toString().split("\n")).hasSize(2).allMatch(l -> l.startsWith("{\"mode\""));
  }

  @Test
  void aBatchThatEndsUnfinishedSaysWhereTheCommandStarted() throws IOException {
    assertThat(run("--batch", batch("status --json\nstatus \\\n"))).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo(
            dir.resolve("cmds")
                + ":2: bpfilterctl: the line ends in a backslash, and no line continues it\n");
    assertThat(out.toString()).startsWith("{\"mode\"");
    err.getBuffer().setLength(0);
    assertThat(run("--batch", batch("status\nstatus \"a\nb\n"))).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString())
        .isEqualTo(dir.resolve("cmds") + ":2: bpfilterctl: unterminated double quote\n");
  }

  @Test
  void aMissingBatchFileIsAUsageError() {
    assertThat(run("--batch", dir.resolve("absent").toString())).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("no such file");
  }

  @Test
  void shellWordsFollowTheShellForTheCommonCases() {
    assertThat(ShellWords.split("a 'b c' \"d \\\" e\" f\\ g # h"))
        .containsExactly("a", "b c", "d \" e", "f g");
  }

  @Test
  void nonsensicalCountsAreUsageErrors() {
    assertThat(run("ping", "-c", "0")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("log", "-n", "-1")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--count must be at least 1").contains("--lines must not");
  }
}

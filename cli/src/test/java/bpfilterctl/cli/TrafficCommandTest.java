package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.json.JsonReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** traffic record in the shell's background, stop, show (text and JSON) and replay. */
class TrafficCommandTest {
  @TempDir Path dir;

  private record Run(int rc, String out, String err) {}

  private static Run run(Session s, boolean inShell, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        Commands.create(
                s, new Io(new PrintWriter(out, true), new PrintWriter(err, true), false, inShell))
            .execute(args);
    return new Run(rc, out.toString(), err.toString());
  }

  private Path calls(String table) throws Exception {
    byte[] buf = new byte[84];
    System.arraycopy(table.getBytes(StandardCharsets.US_ASCII), 0, buf, 0, table.length());
    Path f = dir.resolve(table + ".jsonl");
    Files.writeString(
        f,
        "{\"op\":\"get\",\"cmd\":\"IPT_SO_GET_INFO\",\"buf\":\""
            + HexFormat.of().formatHex(buf)
            + "\"}\n");
    return f;
  }

  @Test
  void aShellRecordingRunsInTheBackgroundUntilStopAndShowsAndReplaysAsRecorded() throws Exception {
    Path rec = dir.resolve("t.jsonl");
    try (Session s = Session.embedded()) {
      assertThat(run(s, true, "load").rc()).isZero();
      Run started = run(s, true, "traffic", "record", rec.toString());
      assertThat(started.out())
          .isEqualTo("recording to " + rec + " in the background; traffic stop ends it\n");
      assertThat(run(s, true, "traffic", "record", rec.toString()).err())
          .contains("a recording runs already");
      assertThat(run(s, true, "raw", calls("filter").toString()).rc()).isZero();
      assertThat(run(s, true, "raw", calls("nosuch").toString()).rc()).isZero();
      Run stopped = run(s, true, "traffic", "stop");
      assertThat(stopped.out()).matches("\\d+ frames recorded to " + rec + ", 0 dropped\n");
      assertThat(run(s, true, "traffic", "stop").rc()).isEqualTo(ExitCodes.FAILURE);
    }
    Run shown;
    try (Session s = Session.embedded()) {
      shown = run(s, false, "traffic", "show", rec.toString(), "--filter", "GET_INFO");
      assertThat(shown.rc()).isZero();
      List<String> lines = shown.out().lines().toList();
      assertThat(lines).hasSize(4);
      assertThat(lines.get(1))
          .matches(".*<- +\\d+ IPT_SO_GET_INFO +ok +84 .* filter +hooks I/F/O  4 entries  \\d+ B");
      assertThat(lines.get(3)).matches(".*<- +\\d+ IPT_SO_GET_INFO +ENOENT +0 .* nosuch");

      Run json = run(s, false, "traffic", "show", rec.toString(), "--json", "--filter", "err");
      Map<String, Object> o = JsonReader.parseObject(json.out().strip());
      assertThat(o)
          .containsEntry("option", "IPT_SO_GET_INFO")
          .containsEntry("status_name", "ENOENT");
      assertThat(o).containsEntry("table", "nosuch");
      assertThat(((List<?>) o.get("decode")).get(1).toString())
          .matches("status -2 \\(ENOENT\\)  len 84  latency \\d+[um]s");

      Run detail =
          run(s, false, "traffic", "show", rec.toString(), "-v", "--filter", "reply GET_INFO");
      assertThat(detail.out())
          .contains(
              "    ipt_getinfo: name filter  num_entries 4",
              "    valid_hooks INPUT,FORWARD,OUTPUT");

      // Into a fresh private module the recording answers the same: exit 0.
      Run same = run(s, false, "traffic", "replay", rec.toString());
      assertThat(same.out()).endsWith(" differ, 0 skipped\n").contains(", 0 differ,");
      assertThat(same.rc()).isZero();
    }
    // A recording whose answer was different: exit 1, and the difference said.
    List<String> lines = Files.readAllLines(rec);
    String changed =
        lines.stream()
            .map(
                l -> l.contains("\"status\":-2") ? l.replace("\"status\":-2", "\"status\":-22") : l)
            .reduce("", (a, b) -> a + b + "\n");
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, changed);
    try (Session s = Session.embedded()) {
      Run differs = run(s, false, "traffic", "replay", bad.toString());
      assertThat(differs.rc()).isEqualTo(ExitCodes.FAILURE);
      assertThat(differs.out())
          .containsPattern(
              "differs: frame \\d+ IPT_SO_GET_INFO: status -22 \\(EINVAL\\) recorded, -2 \\(ENOENT\\) now")
          .contains(", 1 differ,");
    }
  }

  @Test
  void aOneShotRecordWithoutADaemonSaysWhyNot() {
    try (Session s = Session.embedded()) {
      Run r = run(s, false, "traffic", "record", dir.resolve("x").toString());
      assertThat(r.rc()).isEqualTo(ExitCodes.FAILURE);
      assertThat(r.err()).contains("no daemon runs");
    }
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** get info|entries|revision and set replace|counters against an embedded host's fresh tables. */
class SockoptCommandsTest {
  @TempDir Path dir;
  private final Session session = Session.embedded();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void close() {
    session.close();
  }

  /** One command line on this test's session (as the shell runs them), after clearing output. */
  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return Commands.create(session, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  private String runOk(String... args) {
    int rc = run(args);
    assertThat(rc).as("%s: %s", String.join(" ", args), err).isZero();
    return out.toString();
  }

  private void load() {
    runOk("load");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  /** The bytes of a --hex dump, read back from its columns. */
  static byte[] unhex(String dump) {
    Pattern line = Pattern.compile("^[0-9a-f]{8}  ((?:[0-9a-f]{2} {1,2}){0,16})\\s*\\|", 0);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (String l : dump.split("\n")) {
      Matcher m = line.matcher(l);
      if (m.find()) {
        for (String h : m.group(1).trim().split("\\s+")) {
          if (!h.isEmpty()) {
            b.write(Integer.parseInt(h, 16));
          }
        }
      }
    }
    return b.toByteArray();
  }

  /** Fresh filter with one rule first in INPUT (-s 10.0.0.1 -j DROP), as iptables -A makes it. */
  static IptReplace filterWithOneRule(int numCounters) {
    IptIp from10001 = IptIp.ANY.withSource(0x0a000001, 0xffffffff);
    List<IptEntry> e =
        List.of(
            IptEntry.of(from10001, List.of(), XtEntryTarget.standard(Verdict.DROP)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("ERROR")));
    int[] at = IptEntries.offsets(e);
    return IptReplace.of(
        "filter",
        0x0e,
        new int[] {-1, at[0], at[2], at[3], -1},
        new int[] {-1, at[1], at[2], at[3], -1},
        numCounters,
        e);
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  @Test
  void getInfoDecodesTheFreshFilterTable() {
    load();
    String text = runOk("get", "info");
    assertThat(text)
        .contains("table        filter\n")
        .contains("valid_hooks  0x0e INPUT,FORWARD,OUTPUT\n")
        .containsPattern("(?m)^  INPUT +0 +0$")
        .containsPattern("(?m)^  FORWARD +152 +152$")
        .containsPattern("(?m)^  OUTPUT +304 +304$")
        .contains("num_entries  4\n")
        .contains("size         632\n")
        .doesNotContain("PREROUTING");

    Map<String, Object> j = JsonReader.parseObject(runOk("get", "info", "--json").trim());
    assertThat(j.keySet())
        .containsExactly(
            "name", "valid_hooks", "hooks", "hook_entry", "underflow", "num_entries", "size");
    assertThat(j.get("name")).isEqualTo("filter");
    assertThat(j.get("valid_hooks")).isEqualTo(14L);
    assertThat(list(j.get("hooks"))).containsExactly("INPUT", "FORWARD", "OUTPUT");
    assertThat(obj(j.get("hook_entry")))
        .containsExactly(
            Map.entry("INPUT", 0L), Map.entry("FORWARD", 152L), Map.entry("OUTPUT", 304L));
    assertThat(j.get("num_entries")).isEqualTo(4L);
  }

  @Test
  void getInfoIsWhatTheKernelAnsweredForEveryFreshTable() throws IOException {
    Path rec =
        SharedFixtures.root()
            .map(s -> s.resolve("conformance/iptables-legacy-1.8.9/01-fresh-tables.json"))
            .filter(Files::isRegularFile)
            .orElse(null);
    Require.that(rec != null, "../shared/conformance is not here: nothing to compare with");
    load();
    int compared = 0;
    for (Object c : list(JsonReader.parseObject(Files.readString(rec)).get("calls"))) {
      Map<String, Object> call = obj(c);
      if (!call.get("cmd").equals("IPT_SO_GET_INFO")) {
        continue;
      }
      byte[] kernel = HexFormat.of().parseHex((String) call.get("buf"));
      IptGetinfo k = IptGetinfo.decode(kernel);
      String table = k.name();

      byte[] ours = unhex(runOk("get", "info", "-t", table, "--hex"));
      assertThat(ours).as("get info -t %s --hex", table).isEqualTo(kernel);

      Map<String, Object> j = JsonReader.parseObject(runOk("get", "info", "-t", table, "--json"));
      assertThat(j.get("size")).as(table).isEqualTo((long) k.size());
      assertThat(j.get("num_entries")).as(table).isEqualTo((long) k.numEntries());
      for (var h : bpfilterctl.core.uapi.Hook.values()) {
        if ((k.validHooks() & h.bit()) != 0) {
          assertThat(obj(j.get("hook_entry")).get(h.name()))
              .as("%s hook_entry %s", table, h)
              .isEqualTo((long) k.hookEntry()[h.ordinal()]);
          assertThat(obj(j.get("underflow")).get(h.name()))
              .as("%s underflow %s", table, h)
              .isEqualTo((long) k.underflow()[h.ordinal()]);
        }
      }
      compared++;
    }
    assertThat(compared).isEqualTo(5);
  }

  @Test
  void hexDumpsHaveOffsetsSixteenBytesAndAscii() {
    load();
    String dump = runOk("get", "info", "--hex");
    String[] lines = dump.split("\n");
    assertThat(lines).hasSize(7); // 84 bytes: 5 full lines, one of 4, the length
    assertThat(lines[0])
        .isEqualTo(
            "00000000  66 69 6c 74 65 72 00 00  00 00 00 00 00 00 00 00  |filter..........|");
    // The last 4 bytes: size, 632.
    assertThat(lines[5]).startsWith("00000050  78 02 00 00 ").endsWith("  |x...|");
    assertThat(lines[6]).isEqualTo("00000054");
  }

  @Test
  void getEntriesDecodesEachEntry() {
    load();
    String text = runOk("get", "entries");
    assertThat(text)
        .startsWith("table filter  valid_hooks INPUT,FORWARD,OUTPUT  num_entries 4  size 632\n")
        .contains("#0 @0  hook_entry INPUT  underflow INPUT\n")
        .contains("#2 @304  hook_entry OUTPUT  underflow OUTPUT\n")
        .contains("  target    standard  size 40  verdict ACCEPT\n")
        .contains("#3 @456\n")
        .contains("  target    ERROR  rev 0  size 64  error_name ERROR\n");
    assertThat(text.split("\n#")).hasSize(5);

    Map<String, Object> j = JsonReader.parseObject(runOk("get", "entries", "--json"));
    assertThat(obj(j.get("info")).get("num_entries")).isEqualTo(4L);
    List<Object> entries = list(j.get("entries"));
    assertThat(entries).hasSize(4);
    Map<String, Object> first = obj(entries.get(0));
    assertThat(first.keySet())
        .containsExactly(
            "index",
            "offset",
            "hook_entry",
            "underflow",
            "ip",
            "nfcache",
            "comefrom",
            "target_offset",
            "next_offset",
            "counters",
            "matches",
            "target");
    assertThat(list(first.get("hook_entry"))).containsExactly("INPUT");
    assertThat(obj(first.get("ip")).get("src")).isEqualTo("0.0.0.0");
    Map<String, Object> target = obj(first.get("target"));
    assertThat(target.get("kind")).isEqualTo("standard");
    assertThat(target.get("verdict")).isEqualTo("ACCEPT");
    assertThat(target.get("verdict_code")).isEqualTo(-2L);
    Map<String, Object> last = obj(entries.get(3));
    assertThat(last.get("offset")).isEqualTo(456L);
    assertThat(obj(last.get("target")).get("error_name")).isEqualTo("ERROR");

    // --hex is the whole GET_ENTRIES buffer: the 40-byte header and `size` bytes of entries.
    assertThat(unhex(runOk("get", "entries", "--hex"))).hasSize(40 + 632);
  }

  @Test
  void umhRefusalsNameTheErrnoAndExit1() {
    load();
    assertThat(run("get", "info", "-t", "nosuch")).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString())
        .contains(
            "IPT_SO_GET_INFO (table 'nosuch'): ENOENT (No such file or directory: no such table)");
    assertThat(out.toString()).isEmpty();

    assertThat(run("get", "entries", "-t", "nosuch", "--json")).isEqualTo(ExitCodes.FAILURE);
    Map<String, Object> e = obj(JsonReader.parseObject(out.toString()).get("error"));
    assertThat(e.get("option")).isEqualTo("IPT_SO_GET_INFO");
    assertThat(e.get("errno")).isEqualTo("ENOENT");
    assertThat(e.get("code")).isEqualTo(2L);
  }

  @Test
  void aModuleThatIsNotLoadedExits3() {
    assertThat(run("get", "info")).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(err.toString()).contains("module not loaded");
    assertThat(run("set", "counters", "--counters", "0:1:1")).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(run("get", "revision", "match", "tcp")).isEqualTo(ExitCodes.MODULE_DOWN);
  }

  @Test
  void usageErrors() {
    assertThat(run("get")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("Missing subcommand");
    assertThat(run("get", "info", "--hex", "--json")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("get", "info", "-t", "x".repeat(32))).isEqualTo(ExitCodes.USAGE);
    assertThat(run("get", "revision", "match", "tcp", "256")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("set", "counters")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("set", "counters", "--counters", "1:2")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("'1:2' is not N:PKTS:BYTES");
  }

  @Test
  void getRevisionAnswersSupportedOrTheErrno() {
    load();
    assertThat(runOk("get", "revision", "match", "tcp"))
        .isEqualTo("match tcp revision 0: supported\n");
    assertThat(run("get", "revision", "match", "conntrack", "200")).isEqualTo(ExitCodes.FAILURE);
    assertThat(out.toString())
        .isEqualTo(
            "match conntrack revision 200: not supported: EPROTONOSUPPORT (Protocol not supported:"
                + " it exists, but not in this revision)\n");
    assertThat(run("get", "revision", "target", "NOSUCH", "--json")).isEqualTo(ExitCodes.FAILURE);
    Map<String, Object> j = JsonReader.parseObject(out.toString());
    assertThat(j.keySet())
        .containsExactly("kind", "name", "revision", "supported", "errno", "code", "message");
    assertThat(j.get("supported")).isEqualTo(false);
    assertThat(j.get("errno")).isEqualTo("ENOENT");
    assertThat((String) j.get("message")).contains("no such target");
    j = JsonReader.parseObject(runOk("get", "revision", "target", "REJECT", "--json"));
    assertThat(j.get("supported")).isEqualTo(true);
    assertThat(j.get("errno")).isNull();
    // The kernel leaves the buffer as it came: name[29], revision.
    byte[] buf = unhex(runOk("get", "revision", "target", "REJECT", "--hex"));
    assertThat(buf).hasSize(30);
    assertThat(new String(buf, 0, 6, java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo("REJECT");
  }

  @Test
  void setReplaceFromABinaryOrAHexFileAndWhatItPrints() throws IOException {
    load();
    Path bin = write("filter.bin", filterWithOneRule(4).encode());
    assertThat(runOk("set", "replace", bin.toString()))
        .isEqualTo(
            "replaced table filter: 5 entries, 784 bytes, hooks INPUT,FORWARD,OUTPUT;"
                + " 4 old counters returned (0 packets, 0 bytes in all)\n");
    Map<String, Object> j = JsonReader.parseObject(runOk("get", "entries", "--json"));
    assertThat(list(j.get("entries"))).hasSize(5);
    Map<String, Object> rule = obj(list(j.get("entries")).get(0));
    assertThat(obj(rule.get("ip")).get("src")).isEqualTo("10.0.0.1");
    assertThat(obj(rule.get("ip")).get("smsk")).isEqualTo("255.255.255.255");
    assertThat(obj(rule.get("target")).get("verdict")).isEqualTo("DROP");

    // The same table again, as hex text with line breaks: num_counters is 5 now.
    String hex = HexFormat.of().formatHex(filterWithOneRule(5).encode());
    Path text =
        write(
            "filter.hex", (hex.substring(0, 100) + "\n  " + hex.substring(100) + "\n").getBytes());
    j = JsonReader.parseObject(runOk("set", "replace", text.toString(), "--json"));
    assertThat(j.keySet())
        .containsExactly(
            "table", "num_entries", "size", "valid_hooks", "hooks", "num_counters", "old_counters");
    assertThat(j.get("table")).isEqualTo("filter");
    assertThat(j.get("num_entries")).isEqualTo(5L);
    assertThat(j.get("num_counters")).isEqualTo(5L);
    assertThat(list(j.get("old_counters"))).hasSize(5);
    assertThat(obj(list(j.get("old_counters")).get(0)))
        .containsExactly(Map.entry("packets", 0L), Map.entry("bytes", 0L));
  }

  @Test
  void aMalformedReplaceGetsTheErrnoAndChangesNothing() throws IOException {
    load();
    String before = runOk("get", "entries", "--json");
    IptReplace good = filterWithOneRule(4);
    // INPUT's underflow in the middle of an entry: translate_table refuses it.
    int[] under = good.underflow();
    under[1] += 8;
    IptReplace bad =
        new IptReplace(
            good.name(),
            good.validHooks(),
            good.numEntries(),
            good.size(),
            good.hookEntry(),
            under,
            good.numCounters(),
            0,
            good.entries());
    Path f = write("bad.bin", bad.encode());
    assertThat(run("set", "replace", f.toString())).isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("IPT_SO_SET_REPLACE (table 'filter'): EINVAL");
    assertThat(runOk("get", "entries", "--json")).isEqualTo(before);

    // Cut short: the header promises more entries than follow.
    byte[] cut = Arrays.copyOf(good.encode(), 96 + 100);
    assertThat(run("set", "replace", write("cut.bin", cut).toString()))
        .isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("EINVAL");
    assertThat(runOk("get", "entries", "--json")).isEqualTo(before);
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> counters() {
    Map<String, Object> j = JsonReader.parseObject(runOk("get", "entries", "--json"));
    return list(j.get("entries")).stream()
        .map(e -> (Map<String, Object>) obj(e).get("counters"))
        .toList();
  }

  @Test
  void setCountersAddsToWhatGetEntriesShows() throws IOException {
    load();
    assertThat(
            runOk(
                "set",
                "counters",
                "--counters",
                "0:10:840",
                "--counters",
                "2:1:60",
                "--counters",
                "0:1:60"))
        .isEqualTo("added counters to table filter: 4 entries, 12 packets and 960 bytes in all\n");
    assertThat(counters().get(0))
        .containsExactly(Map.entry("packets", 11L), Map.entry("bytes", 900L));
    assertThat(counters().get(1)).containsExactly(Map.entry("packets", 0L), Map.entry("bytes", 0L));
    assertThat(counters().get(2))
        .containsExactly(Map.entry("packets", 1L), Map.entry("bytes", 60L));

    // A blob adds again, to every entry; --json shows what was sent.
    byte[] blob =
        new XtCountersInfo(
                "filter",
                List.of(
                    new XtCounters(1, 100),
                    new XtCounters(2, 200),
                    new XtCounters(3, 300),
                    new XtCounters(0, 0)))
            .encode();
    Map<String, Object> j =
        JsonReader.parseObject(runOk("set", "counters", write("c.bin", blob).toString(), "--json"));
    assertThat(j.get("table")).isEqualTo("filter");
    assertThat(j.get("num_counters")).isEqualTo(4L);
    assertThat(counters().get(0))
        .containsExactly(Map.entry("packets", 12L), Map.entry("bytes", 1000L));
    assertThat(counters().get(2))
        .containsExactly(Map.entry("packets", 4L), Map.entry("bytes", 360L));

    // The replace hands the counters back as the old ones.
    j =
        JsonReader.parseObject(
            runOk(
                "set",
                "replace",
                write("r.bin", filterWithOneRule(4).encode()).toString(),
                "--json"));
    assertThat(obj(list(j.get("old_counters")).get(0)))
        .containsExactly(Map.entry("packets", 12L), Map.entry("bytes", 1000L));
  }

  @Test
  void malformedCountersGetTheErrnoAndChangeNothing() throws IOException {
    load();
    runOk("set", "counters", "--counters", "1:5:500");
    List<Map<String, Object>> before = counters();
    // Three counters for a table of four entries: the kernel says EINVAL.
    byte[] three =
        new XtCountersInfo(
                "filter", List.of(XtCounters.ZERO, new XtCounters(9, 9), XtCounters.ZERO))
            .encode();
    assertThat(
            run(
                "set",
                "counters",
                write("three.hex", HexFormat.of().formatHex(three).getBytes()).toString()))
        .isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("IPT_SO_SET_ADD_COUNTERS (table 'filter'): EINVAL");
    assertThat(counters()).isEqualTo(before);

    assertThat(run("set", "counters", "--counters", "4:1:1")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("table filter has entries #0 to #3, not #4");
    assertThat(run("set", "counters", "-t", "nat", write("f.bin", three).toString()))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(run("set", "counters", "-t", "nosuch", "--counters", "0:1:1"))
        .isEqualTo(ExitCodes.FAILURE);
    assertThat(err.toString()).contains("ENOENT");
    assertThat(counters()).isEqualTo(before);
  }

  @Test
  void aBatchRunsTheCommandsOnOneModule() throws IOException {
    Path blob = write("filter.bin", filterWithOneRule(4).encode());
    Path batch =
        write(
            "cmds",
            ("load\nget info --json\nset replace "
                    + blob
                    + "\nset counters --counters 0:3:180\n"
                    + "get entries --json\nget revision match tcp\n")
                .getBytes());
    assertThat(run("--batch", batch.toString())).as(err.toString()).isZero();
    String[] lines = out.toString().split("\n");
    assertThat(lines[1]).startsWith("{\"name\":\"filter\",\"valid_hooks\":14,");
    assertThat(lines[2]).startsWith("replaced table filter: 5 entries");
    assertThat(lines[3]).startsWith("added counters to table filter: 5 entries, 3 packets");
    Map<String, Object> j = JsonReader.parseObject(lines[4]);
    assertThat(obj(obj(list(j.get("entries")).get(0)).get("counters")))
        .containsExactly(Map.entry("packets", 3L), Map.entry("bytes", 180L));
    assertThat(lines[5]).isEqualTo("match tcp revision 0: supported");
  }

  @Test
  void aFileThatIsNotARegularFileGivesOneLineNotAStackTraceOrAnOom() {
    load();
    String missing = dir.resolve("nonexistent").toString();
    for (String[] args :
        List.of(
            new String[] {"set", "replace", missing},
            new String[] {"set", "counters", missing},
            new String[] {"set", "replace", dir.toString()},
            new String[] {"set", "replace", "/dev/zero"})) {
      int rc = run(args);
      assertThat(rc).as(String.join(" ", args)).isEqualTo(ExitCodes.FAILURE);
      assertThat(err.toString().lines())
          .as(String.join(" ", args))
          .hasSize(1)
          .allSatisfy(l -> assertThat(l).startsWith("bpfilterctl: ").doesNotContain("Exception"));
    }
    run("set", "replace", missing);
    assertThat(err.toString()).contains(missing + ": No such file or directory");
    run("set", "replace", dir.toString());
    assertThat(err.toString()).contains(": Is a directory");
    run("set", "replace", "/dev/zero");
    assertThat(err.toString()).contains("/dev/zero: not a regular file");
  }
}

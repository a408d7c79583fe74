package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The 826 rule lines of iptables' own extension test suite, each run as "iptables -t T -A C RULE"
 * through the whole front-end (parser, extensions, libiptc commit) against the engine, compared
 * with what iptables-legacy 1.8.9 and the kernel did with it (core/src/test/scripts/
 * record_rule_oracle.py): the exit status, the messages, the SET_REPLACE bytes, and the rule as -S,
 * -L -n, -L and -L -n -v -x print it.
 */
class ExtensionSuiteTest {
  private static final int COUNTERS_POINTER = 88;

  record Outcome(String rule, List<String> differences) {}

  @Test
  void everyLineOfTheSuiteBehavesAsWithIptablesLegacy() throws IOException {
    List<Map<String, Object>> cases = load("/rules/ext-cases-oracle.jsonl.gz");
    assertThat(cases).hasSize(826);
    checkAll(cases);
  }

  /**
   * Front-end edges the suite does not reach, recorded the same way from
   * core/src/test/scripts/frontend-extra-cases.jsonl: warnings of accepted rules, services and
   * protocol numbers, dotted and non-contiguous masks, inversions, duplicate options, missing
   * arguments, chain and table refusals, rules the kernel refuses in a hook.
   */
  @Test
  void frontEndEdgesBehaveAsWithIptablesLegacy() throws IOException {
    List<Map<String, Object>> cases = load("/rules/frontend-extra-oracle.jsonl.gz");
    assertThat(cases).as("the README quotes 38").hasSize(38);
    checkAll(cases);
  }

  private static void checkAll(List<Map<String, Object>> cases) {
    XtExtensions extensions = XtExtensions.standard();
    Lookups lookups = Lookups.system();
    List<Outcome> failed = new ArrayList<>();
    Map<String, int[]> perFile = new TreeMap<>();
    for (Map<String, Object> c : cases) {
      List<String> diffs = run(c, extensions, lookups);
      int[] counts =
          perFile.computeIfAbsent(String.valueOf(c.getOrDefault("file", "extra")), k -> new int[2]);
      counts[diffs.isEmpty() ? 0 : 1]++;
      if (!diffs.isEmpty()) {
        failed.add(new Outcome(c.get("table") + " " + c.get("chain") + " " + c.get("rule"), diffs));
      }
    }
    StringBuilder report = new StringBuilder();
    perFile.forEach(
        (f, n) -> {
          if (n[1] > 0) {
            report.append(f).append(": ").append(n[0]).append('/').append(n[0] + n[1]).append('\n');
          }
        });
    for (Outcome o : failed) {
      report.append("  ").append(o.rule()).append('\n');
      for (String d : o.differences()) {
        report.append("      ").append(d).append('\n');
      }
    }
    System.out.println(
        "extension suite: " + (cases.size() - failed.size()) + "/" + cases.size() + " match");
    assertThat(failed).as(report.toString()).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static List<String> run(Map<String, Object> c, XtExtensions ext, Lookups lookups) {
    List<String> diffs = new ArrayList<>();
    try {
      TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
      IptablesScenarioTest.Recording rec =
          new IptablesScenarioTest.Recording(ModuleSockopts.direct(engine::handle));
      Iptables iptables = new Iptables(rec, ext, lookups);
      String table = (String) c.get("table");
      String chain = (String) c.get("chain");
      List<String> argv = new ArrayList<>(List.of("-t", table, "-A", chain));
      argv.addAll(ScenarioScript.words((String) c.get("rule")));
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      int rc = iptables.run(argv, out, err);
      int wantRc = ((Number) c.get("rc")).intValue();
      if (rc != wantRc) {
        diffs.add("exit status " + rc + ", want " + wantRc);
      }
      String wantErr = (String) c.get("stderr");
      if (!err.toString().strip().equals(wantErr.strip())) {
        diffs.add("stderr " + quote(err.toString().strip()) + ", want " + quote(wantErr.strip()));
      }
      if (wantRc != 0 || rc != 0) {
        return diffs;
      }
      String want = (String) c.get("replace");
      String got =
          rec.calls.stream()
              .filter(k -> k.cmd().equals("IPT_SO_SET_REPLACE"))
              .map(RecordedScenario.Call::buf)
              .reduce((a, b) -> b)
              .orElse(null);
      if (want != null && (got == null || !masked(got).equals(masked(want)))) {
        diffs.add("SET_REPLACE differs");
      }
      check(diffs, "-S", (List<String>) c.get("listed"), list(iptables, table, chain, "-S"), true);
      check(
          diffs,
          "-L -n",
          (List<String>) c.get("list_n"),
          list(iptables, table, chain, "-L", "-n"),
          false);
      check(diffs, "-L", (List<String>) c.get("list"), list(iptables, table, chain, "-L"), false);
      check(
          diffs,
          "-L -n -v -x",
          (List<String>) c.get("list_vx"),
          list(iptables, table, chain, "-L", "-n", "-v", "-x"),
          false);
    } catch (Exception e) {
      diffs.add("threw " + e);
    }
    return diffs;
  }

  private static List<String> list(Iptables iptables, String table, String chain, String... how)
      throws Exception {
    // as the recorder typed it: the chain right after -L/-S, where iptables looks for it
    List<String> argv = new ArrayList<>(List.of("-t", table, how[0], chain));
    argv.addAll(List.of(how).subList(1, how.length));
    StringBuilder out = new StringBuilder();
    iptables.run(argv, out, new StringBuilder());
    return out.toString().lines().toList();
  }

  private static void check(
      List<String> diffs, String what, List<String> want, List<String> got, boolean rulesOnly) {
    if (want == null) {
      return;
    }
    List<String> g =
        rulesOnly
            ? got.stream().filter(l -> l.startsWith("-A ")).toList()
            : got.subList(Math.min(2, got.size()), got.size());
    if (!g.equals(want)) {
      diffs.add(what + " " + g + ", want " + want);
    }
  }

  private static String masked(String hex) {
    return hex.length() < 2 * (COUNTERS_POINTER + 8)
        ? hex
        : hex.substring(0, 2 * COUNTERS_POINTER) + hex.substring(2 * (COUNTERS_POINTER + 8));
  }

  private static String quote(String s) {
    return "\"" + s.replace("\n", "\\n") + "\"";
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> load(String resource) throws IOException {
    try (InputStream in = ExtensionSuiteTest.class.getResourceAsStream(resource)) {
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
      List<Map<String, Object>> out = new ArrayList<>();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          out.add((Map<String, Object>) JsonReader.parse(line));
        }
      }
      return out;
    }
  }
}

package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The second match area's recorded rules through the whole front-end (Iptables over the in-process
 * table engine): `iptables -A` must exit and complain as iptables-legacy did and send the same
 * SET_REPLACE (counters pointer aside); `-S` and `-L -n` / `-L` must print the same lines. Rules
 * whose SET_REPLACE the kernel refused compare only the blob: the table engine's checks are the
 * umh's business.
 */
class SpecialMatchesFrontEndTest {
  private static final Pattern MINE =
      Pattern.compile(
          "-m (ah|esp|ipcomp|sctp|dccp|cgroup|cluster|connlabel|cpu|devgroup|nfacct|osf|quota"
              + "|rateest|realm|rpfilter|bpf|ipvs)\\b|^-p (sctp|dccp) --");
  private static final int COUNTERS_POINTER = 88;
  private static final String ENGINE = "table engine";

  /** Keeps the last SET_REPLACE sent. */
  static final class LastReplace implements Sockopts {
    final Sockopts inner;
    byte[] replace;

    LastReplace(Sockopts inner) {
      this.inner = inner;
    }

    @Override
    public byte[] get(int cmd, byte[] in) throws SockoptError, ModuleException {
      return inner.get(cmd, in);
    }

    @Override
    public byte[] set(int cmd, byte[] value) throws SockoptError, ModuleException {
      if (Sockopt.of(true, cmd).orElse(null) == Sockopt.IPT_SO_SET_REPLACE) {
        replace = value.clone();
      }
      return inner.set(cmd, value);
    }
  }

  @Test
  void recordedRulesGoThroughTheFrontEndAsInIptables() throws Exception {
    Map<String, int[]> tally = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> engine = new ArrayList<>();
    for (String resource :
        List.of("/rules/ext-cases-oracle.jsonl.gz", "/rules/ext-extra-matchesb.jsonl.gz")) {
      for (Map<String, Object> c : load(resource)) {
        String rule = (String) c.get("rule");
        Matcher m = MINE.matcher(rule);
        if (!m.find()) {
          continue;
        }
        String ext = m.group(1) != null ? m.group(1) : m.group(2);
        int[] t = tally.computeIfAbsent(ext, k -> new int[2]);
        t[1]++;
        String problem = check(c);
        if (problem == null) {
          t[0]++;
        } else if (problem.startsWith(ENGINE)) {
          t[1]--;
          engine.add(rule + "\n    " + problem);
        } else {
          failures.add(rule + "\n    " + problem);
        }
      }
    }
    StringBuilder report = new StringBuilder("through the front-end: matched/total\n");
    tally.forEach((k, v) -> report.append(String.format("  %-10s %3d/%3d%n", k, v[0], v[1])));
    System.out.println(report);
    failures.forEach(f -> System.out.println("  MISMATCH " + f));
    engine.forEach(
        f -> System.out.println("  same blob, the engine differs from the kernel: " + f));
    assertThat(failures).as(report.toString()).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static String check(Map<String, Object> c) throws Exception {
    String table = (String) c.get("table");
    String chain = (String) c.get("chain");
    int wantRc = ((Number) c.get("rc")).intValue();
    String wantErr = c.get("stderr") == null ? "" : (String) c.get("stderr");
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    LastReplace port = new LastReplace(ModuleSockopts.direct(engine::handle));
    Iptables iptables = new Iptables(port, XtExtensions.standard(), Lookups.system());
    for (Object setup : (List<Object>) c.getOrDefault("setup", List.of())) {
      List<String> argv = new ArrayList<>(List.of("-t", table));
      argv.addAll(List.of(((String) setup).split(" ")));
      iptables.run(argv, new StringBuilder(), new StringBuilder());
    }
    port.replace = null;
    List<String> argv = new ArrayList<>(List.of("-t", table, "-A", chain));
    argv.addAll(bpfilterctl.core.iptables.ext.RuleWords.split((String) c.get("rule")));
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int rc = iptables.run(argv, out, err);
    String wantHex = (String) c.get("replace");
    if (wantHex != null) {
      byte[] want = masked(HexFormat.of().parseHex(wantHex));
      byte[] got = port.replace == null ? null : masked(port.replace);
      if (!Arrays.equals(want, got)) {
        return "SET_REPLACE differs" + (got == null ? " (none sent)" : "");
      }
    }
    if (wantRc != 0 && wantHex != null) {
      return null; // the kernel refused it; the engine's answer is not this area's
    }
    boolean kernelMessage = wantErr.startsWith("iptables: ");
    if (rc != wantRc && (wantHex != null || kernelMessage) && (rc == 1 || wantRc == 1)) {
      // Same blob, but the table engine judged it otherwise than the kernel did: the umh's area.
      return ENGINE + ": rc " + rc + " want " + wantRc + " " + err.toString().strip();
    }
    if (rc != wantRc) {
      return "rc " + rc + " want " + wantRc + ": " + err.toString().strip();
    }
    if (wantRc != 0) {
      String got = firstMessage(err.toString());
      String want = firstMessage(wantErr);
      return got.equals(want) ? null : "stderr '" + got + "' want '" + want + "'";
    }
    String listed =
        lines(iptables, table, "-S", chain).stream()
            .filter(l -> l.startsWith("-A "))
            .toList()
            .toString();
    if (!listed.equals(c.get("listed").toString())) {
      return "-S " + listed + " want " + c.get("listed");
    }
    for (String[] form : new String[][] {{"list_n", "-n"}, {"list", null}}) {
      List<String> args = new ArrayList<>(List.of("-L", chain));
      if (form[1] != null) {
        args.add(form[1]);
      }
      List<String> got = lines(iptables, table, args.toArray(String[]::new));
      got = got.subList(Math.min(2, got.size()), got.size());
      if (!got.toString().equals(String.valueOf(c.get(form[0])))) {
        return String.join(" ", args) + " " + got + " want " + c.get(form[0]);
      }
    }
    return null;
  }

  /** The message line of iptables' stderr (a "Warning" line may precede it). */
  private static String firstMessage(String stderr) {
    List<String> lines = stderr.lines().toList();
    return lines.stream()
        .filter(l -> l.startsWith("iptables"))
        .findFirst()
        .orElse(lines.isEmpty() ? "" : lines.get(0));
  }

  private static List<String> lines(Iptables iptables, String table, String... args)
      throws Exception {
    List<String> argv = new ArrayList<>(List.of("-t", table));
    argv.addAll(List.of(args));
    StringBuilder out = new StringBuilder();
    iptables.run(argv, out, new StringBuilder());
    return out.toString().lines().toList();
  }

  private static byte[] masked(byte[] replace) {
    byte[] b = replace.clone();
    Arrays.fill(b, COUNTERS_POINTER, COUNTERS_POINTER + 8, (byte) 0);
    return b;
  }

  private static List<Map<String, Object>> load(String resource) throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                new GZIPInputStream(SpecialMatchesFrontEndTest.class.getResourceAsStream(resource)),
                StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          out.add(JsonReader.parseObject(line));
        }
      }
    }
    return out;
  }
}

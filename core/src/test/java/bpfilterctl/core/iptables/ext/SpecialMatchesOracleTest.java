package bpfilterctl.core.iptables.ext;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The second match area end to end against iptables-legacy 1.8.9: each recorded rule using one of
 * its matches goes word by word through XtOptionParser into the codec; the bytes must equal the
 * match data of the recorded SET_REPLACE, save() the -S text, print() the -L -n and -L texts, and a
 * refused rule iptables' message and status. Words outside the match segments (-p, -s, -j ...)
 * stand in for the front-end: only -p feeds the ipt_ip. Messages of the front-end (getopt, ! before
 * -m, unknown match) and of the kernel are not the codecs' and are counted apart.
 */
class SpecialMatchesOracleTest {
  private static final XtExtensions REGISTRY = XtExtensions.of(SpecialMatches.ALL);
  private static final Set<String> NAMES = Set.copyOf(REGISTRY.names(ExtensionKind.MATCH));
  private static final Lookups LOOKUPS =
      new Lookups(Path.of("/etc/services"), Path.of("/etc/protocols"));

  /** One extension occurrence of a rule as this test ran it. */
  private record Run(XtExtension ext, ExtData data) {}

  /** The outcome of a whole rule: its runs, or the refusal. */
  private record Outcome(List<Run> runs, RuleException error, boolean frontEnd) {}

  @Test
  void suiteAndExtraCasesMatchIptables() {
    // A rule recorded twice (the suite's kernel-refused lines again with their blob) counts once,
    // as the recording that has the blob.
    Map<String, OracleCases.Case> byRule = new java.util.LinkedHashMap<>();
    Stream.concat(
            OracleCases.suite().stream(),
            OracleCases.load("/rules/ext-extra-matchesb.jsonl.gz").stream())
        .filter(c -> !extensionsOf(c.rule()).isEmpty())
        .forEach(
            c ->
                byRule.merge(
                    c.table() + " " + c.chain() + " " + c.rule(),
                    c,
                    (old, now) -> old.replace() == null ? now : old));
    List<OracleCases.Case> cases = List.copyOf(byRule.values());
    Map<String, int[]> tally = new TreeMap<>(); // name -> {matched, total, not ours}
    List<String> failures = new ArrayList<>();
    List<String> notOurs = new ArrayList<>();
    for (OracleCases.Case c : cases) {
      String ext = extensionsOf(c.rule()).get(0);
      int[] t = tally.computeIfAbsent(ext, k -> new int[3]);
      t[1]++;
      String problem;
      try {
        problem = check(c);
      } catch (RuntimeException e) {
        problem = "threw " + e;
      }
      if (problem == null) {
        t[0]++;
      } else if (problem.equals(NOT_OURS)) {
        t[2]++;
        notOurs.add(c.rule() + "  [" + message(c) + "]");
      } else {
        failures.add(c.rule() + "\n    " + problem);
      }
    }
    StringBuilder report = new StringBuilder("extension: matched/total (front-end/kernel only)\n");
    tally.forEach(
        (k, v) ->
            report
                .append(String.format("  %-10s %3d/%3d", k, v[0], v[1] - v[2]))
                .append(v[2] > 0 ? " (" + v[2] + ")" : "")
                .append('\n'));
    System.out.println(report);
    notOurs.forEach(n -> System.out.println("  not the codecs': " + n));
    assertThat(failures).as(report.toString()).isEmpty();
  }

  private static final String NOT_OURS = "not ours";

  /** Null when the case matches, NOT_OURS when its outcome is not the codecs' to give. */
  private static String check(OracleCases.Case c) {
    String message = message(c);
    Outcome o = run(c);
    if (o.frontEnd()) {
      return c.rc() == 2 && !message.startsWith("Warning") ? NOT_OURS : "front-end refusal only";
    }
    if (o.error() != null) {
      String got = o.error().getMessage().stripTrailing();
      if (c.rc() == 0) {
        return "refused: " + got;
      }
      if (!got.equals(message) || o.error().status().exitCode() != c.rc()) {
        return "message "
            + o.error().status()
            + " '"
            + got
            + "' want rc "
            + c.rc()
            + " '"
            + message
            + "'";
      }
      return null;
    }
    if (c.rc() == 2) {
      return "accepted, want '" + message + "'";
    }
    if (c.replace() == null) {
      // Refused by the kernel only, and recorded without its blob: nothing of ours to compare.
      return NOT_OURS;
    }
    IptEntry entry = ruleEntry(c.replace());
    List<XtEntryMatch> blobMatches =
        entry.matches().stream().filter(m -> NAMES.contains(m.name())).toList();
    if (blobMatches.size() != o.runs().size()) {
      return "blob has " + blobMatches.size() + " of our matches, we made " + o.runs().size();
    }
    for (int i = 0; i < blobMatches.size(); i++) {
      XtEntryMatch m = blobMatches.get(i);
      Run r = o.runs().get(i);
      if (!m.name().equals(r.ext().realName()) || m.revision() != r.ext().revision()) {
        return "blob match " + m.name() + " rev " + m.revision() + ", we chose " + r.ext();
      }
      byte[] want = m.data();
      byte[] got = Arrays.copyOf(r.data().bytes(), want.length);
      if (!Arrays.equals(want, got)) {
        return "bytes\n     got " + hex(got) + "\n    want " + hex(want);
      }
    }
    if (c.rc() != 0) {
      return null; // the kernel refused it; the bytes are all there is
    }
    for (Run r : o.runs()) {
      ExtData printed = new ExtData(r.data().bytes(), entry.ip(), c.table(), LOOKUPS);
      StringBuilder save = new StringBuilder(" -m ").append(r.ext().alias(printed));
      r.ext().save(printed, save);
      String listed = c.listed().isEmpty() ? "" : c.listed().get(0);
      if (!containsAtBoundary(listed, save.toString())) {
        return "save '" + save + "' not in '" + listed + "'";
      }
      StringBuilder numeric = new StringBuilder();
      r.ext().print(printed, true, numeric);
      if (c.listN().isEmpty() || !c.listN().get(0).contains(numeric)) {
        return "print -n '" + numeric + "' not in " + c.listN();
      }
      StringBuilder names = new StringBuilder();
      r.ext().print(printed, false, names);
      if (c.list().isEmpty() || !c.list().get(0).contains(names)) {
        return "print '" + names + "' not in " + c.list();
      }
    }
    return null;
  }

  /** The line of iptables' own message: after a "Warning" line, if any. */
  private static String message(OracleCases.Case c) {
    for (String line : c.stderr().lines().toList()) {
      if (line.startsWith(OracleCases.PREFIX)) {
        return line.substring(OracleCases.PREFIX.length());
      }
    }
    return c.message();
  }

  private static boolean containsAtBoundary(String line, String part) {
    int at = line.indexOf(part);
    while (at >= 0) {
      int end = at + part.length();
      if (end == line.length() || line.startsWith(" -", end) || line.startsWith(" !", end)) {
        return true;
      }
      at = line.indexOf(part, at + 1);
    }
    return false;
  }

  /** The rule's entry: the first one carrying one of our matches. */
  private static IptEntry ruleEntry(byte[] replace) {
    return IptReplace.decode(replace).entryList().stream()
        .filter(e -> e.matches().stream().anyMatch(m -> NAMES.contains(m.name())))
        .findFirst()
        .orElseThrow();
  }

  /** Names of our matches the rule loads, explicitly or through -p. */
  private static List<String> extensionsOf(String rule) {
    List<String> words = RuleText.split(rule);
    List<String> out = new ArrayList<>();
    for (int i = 0; i + 1 < words.size(); i++) {
      String w = words.get(i);
      if ((w.equals("-m") || w.equals("--match")) && NAMES.contains(words.get(i + 1))) {
        out.add(words.get(i + 1));
      }
      if (w.equals("-m") && words.get(i + 1).equals("l2tp")) {
        out.add("l2tp");
      }
    }
    if (!words.contains("-m")) {
      String proto = protoOf(words);
      if (proto != null
          && NAMES.contains(proto)
          && words.stream().anyMatch(x -> x.startsWith("--"))) {
        out.add(proto);
      }
    }
    return out;
  }

  private static String protoOf(List<String> words) {
    int p = words.indexOf("-p");
    return p >= 0 && p + 1 < words.size() ? words.get(p + 1) : null;
  }

  /**
   * The rule's words through the option parser: each -m of ours opens a segment, an option unknown
   * to the open segments loads the -p protocol's match (iptables' load_proto).
   */
  private static Outcome run(OracleCases.Case c) {
    List<String> words = RuleText.split(c.rule());
    String proto = protoOf(words);
    IptIp ip = ipOf(proto);
    List<Run> runs = new ArrayList<>();
    boolean invert = false;
    try {
      for (int i = 0; i < words.size(); i++) {
        String w = words.get(i);
        if (w.equals("!")) {
          invert = true;
          continue;
        }
        if (w.equals("-m")) {
          if (invert) {
            return new Outcome(runs, null, true);
          }
          String name = words.get(++i);
          if (!NAMES.contains(name)) {
            return new Outcome(runs, null, true); // not ours (l2tp, tcp ...)
          }
          finishLast(runs);
          runs.add(start(name, ip, c.table()));
          continue;
        }
        if (w.equals("-p")
            || w.equals("-s")
            || w.equals("-d")
            || w.equals("-i")
            || w.equals("-o")) {
          i++;
          invert = false;
          continue;
        }
        if (w.equals("-j")) {
          break; // targets are another area's; none of these rules gives a target option
        }
        if (!w.startsWith("--")) {
          return new Outcome(runs, null, true);
        }
        String optName = w.substring(2);
        Run run = owner(runs, optName);
        if (run == null && proto != null && NAMES.contains(proto)) {
          finishLast(runs);
          runs.add(start(proto, ip, c.table()));
          run = owner(runs, optName);
        }
        if (run == null) {
          return new Outcome(runs, null, true);
        }
        XtOption option =
            run.ext().options().stream()
                .filter(o -> o.name().equals(optName))
                .findFirst()
                .orElseThrow();
        String arg = null;
        if (option.takesArgument()) {
          if (i + 1 >= words.size()) {
            return new Outcome(runs, null, true); // getopt's "requires an argument"
          }
          arg = words.get(++i);
        }
        // As IptablesParser does: the next word joins after a NUL when it is no option.
        if ((option.flags() & XtOption.NEXT_WORD) != 0
            && i + 1 < words.size()
            && !words.get(i + 1).startsWith("-")
            && !words.get(i + 1).startsWith("!")) {
          arg = arg + "\0" + words.get(++i);
        }
        XtOptionParser.parse(run.ext(), option, arg, invert, run.data());
        invert = false;
      }
      finishLast(runs);
      return new Outcome(runs, null, false);
    } catch (RuleException e) {
      return new Outcome(runs, e, false);
    }
  }

  private static Run start(String name, IptIp ip, String table) {
    XtExtension ext = REGISTRY.candidates(ExtensionKind.MATCH, name).get(0);
    ExtData d = new ExtData(new byte[ext.dataSize()], ip, table, LOOKUPS);
    ext.init(d);
    return new Run(ext, d);
  }

  private static final Map<Run, Boolean> FINISHED = new java.util.IdentityHashMap<>();

  private static void finishLast(List<Run> runs) throws RuleException {
    if (!runs.isEmpty() && FINISHED.put(runs.get(runs.size() - 1), true) == null) {
      Run r = runs.get(runs.size() - 1);
      XtOptionParser.finish(r.ext(), r.data());
    }
  }

  private static Run owner(List<Run> runs, String optName) {
    for (int i = runs.size() - 1; i >= 0; i--) {
      Run r = runs.get(i);
      if (r.ext().options().stream().anyMatch(o -> o.name().equals(optName))) {
        return r;
      }
    }
    return null;
  }

  private static IptIp ipOf(String proto) {
    int p = proto == null ? 0 : LOOKUPS.protocol(proto).orElse(0);
    return IptIp.ANY.withProto(p);
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (byte x : b) {
      s.append(String.format("%02x", x));
    }
    return s.toString();
  }
}

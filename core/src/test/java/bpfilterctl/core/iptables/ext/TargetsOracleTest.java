package bpfilterctl.core.iptables.ext;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The target codecs against iptables-legacy 1.8.9 over iptables' own extension tests and the extra
 * recordings of this area: the target's data bytes, its -S text, its -L -n and -L text, and
 * refusals with iptables' message and status. Only the target's part of a rule is checked (matches
 * are another area's); generic options feed the ipt_ip the target sees. Prints the share per
 * target.
 */
class TargetsOracleTest {
  private static final XtExtensions REGISTRY = XtExtensions.of(Targets.ALL);

  /** What the rule's target came to: the parsed codec and data, or iptables' refusal. */
  record Outcome(XtExtension ext, ExtData data, RuleException error, String unsupported) {}

  /** The target after -j, or null for none, a standard verdict or a chain. */
  static String targetName(String rule) {
    List<String> t = RuleText.split(rule);
    int j = Math.max(t.indexOf("-j"), t.indexOf("--jump"));
    if (j < 0 || j + 1 >= t.size() || RuleDriver.STANDARD_TARGETS.contains(t.get(j + 1))) {
      return null;
    }
    return t.get(j + 1);
  }

  /** The highest revision the module knows under the real name, as libxtables probes. */
  static Optional<XtExtension> choose(String name) {
    List<XtExtension> c = REGISTRY.candidates(ExtensionKind.TARGET, name);
    for (XtExtension e : c) {
      if (RuleDriver.KERNEL.find(ExtensionKind.TARGET, e.realName(), e.revision()).isPresent()) {
        return Optional.of(e);
      }
    }
    return c.stream().findFirst();
  }

  static Outcome parse(String table, String rule) {
    List<String> t = RuleText.split(rule);
    if (!t.get(0).startsWith("-") && !t.get(0).equals("!")) {
      return new Outcome(null, null, null, "word " + t.get(0)); // the front-end's refusal
    }
    int j = Math.max(t.indexOf("-j"), t.indexOf("--jump"));
    int proto = 0;
    int invflags = 0;
    boolean invert = false;
    for (int i = 0; i < j; i++) {
      switch (t.get(i)) {
        case "!" -> {
          invert = true;
          continue;
        }
        case "-p", "--protocol" -> {
          try {
            proto = Libxtables.protocol(t.get(++i), RuleDriver.LOOKUPS);
          } catch (RuleException e) {
            return new Outcome(null, null, e, null);
          }
          if (invert) {
            invflags |= IptIp.INV_PROTO;
          }
        }
        default -> {}
      }
      invert = false;
    }
    String name = t.get(j + 1);
    Optional<XtExtension> chosen = choose(name);
    if (chosen.isEmpty()) {
      return new Outcome(null, null, null, "target " + name);
    }
    XtExtension ext = chosen.get();
    IptIp ip = RuleDriver.ip(proto, invflags);
    ExtData d = new ExtData(new byte[ext.dataSize()], ip, table, RuleDriver.LOOKUPS);
    ext.init(d);
    invert = false;
    try {
      for (int i = j + 2; i < t.size(); i++) {
        String w = t.get(i);
        if (w.equals("!")) {
          invert = true;
          continue;
        }
        if (!w.startsWith("--")) {
          return new Outcome(null, null, null, "word " + w);
        }
        Optional<XtOption> o = find(ext, w.substring(2));
        if (o.isEmpty()) {
          return new Outcome(null, null, null, "option " + w);
        }
        String arg = null;
        if (o.get().takesArgument()) {
          if (i + 1 >= t.size()) {
            throw RuleException.parameter("option \"" + w + "\" requires an argument");
          }
          arg = t.get(++i);
          if ((o.get().flags() & XtOption.NEXT_WORD) != 0
              && i + 1 < t.size()
              && !t.get(i + 1).startsWith("-")
              && !t.get(i + 1).startsWith("!")) {
            arg = arg + '\0' + t.get(++i);
          }
        }
        XtOptionParser.parse(ext, o.get(), arg, invert, d);
        invert = false;
      }
      XtOptionParser.finish(ext, d);
    } catch (RuleException e) {
      return new Outcome(ext, d, e, null);
    }
    return new Outcome(ext, d, null, null);
  }

  /** getopt_long: the exact name, else a unique prefix. */
  static Optional<XtOption> find(XtExtension ext, String name) {
    for (XtOption o : ext.options()) {
      if (o.name().equals(name)) {
        return Optional.of(o);
      }
    }
    List<XtOption> prefixed =
        ext.options().stream().filter(o -> o.name().startsWith(name)).toList();
    return prefixed.size() == 1 ? Optional.of(prefixed.get(0)) : Optional.empty();
  }

  /** The -L text and " -j NAME opts" -S text of a blob's target. */
  static String[] print(XtEntryTarget target, IptIp ip, String table, boolean numeric) {
    Optional<XtExtension> e =
        REGISTRY.forBlob(ExtensionKind.TARGET, target.name(), target.revision());
    if (e.isEmpty()) {
      return null;
    }
    ExtData d = new ExtData(target.data(), ip, table, RuleDriver.LOOKUPS);
    StringBuilder p = new StringBuilder();
    e.get().print(d, numeric, p);
    StringBuilder s = new StringBuilder(" -j ").append(e.get().alias(d));
    e.get().save(d, s);
    return new String[] {p.toString(), s.toString()};
  }

  /** iptables' own message line; a warning (e.g. of a revision the kernel lacks) may precede it. */
  static String message(OracleCases.Case c) {
    return c.stderr()
        .lines()
        .filter(l -> l.startsWith(OracleCases.PREFIX))
        .map(l -> l.substring(OracleCases.PREFIX.length()))
        .findFirst()
        .orElse(c.message());
  }

  /** Why one case fails, or null when it matches. */
  static String check(OracleCases.Case c) {
    Outcome o = parse(c.table(), c.rule());
    if (o.unsupported() != null) {
      return "unsupported " + o.unsupported();
    }
    if (c.rc() == 2) {
      if (o.error() == null) {
        return "accepted, want: " + c.message();
      }
      if (!o.error().getMessage().stripTrailing().equals(message(c))
          || o.error().status() != RuleException.Status.PARAMETER) {
        return "message " + o.error().getMessage().stripTrailing() + "\n      want " + message(c);
      }
      return null;
    }
    if (o.error() != null) {
      return "refused: " + o.error().getMessage().stripTrailing();
    }
    if (c.rc() != 0) {
      return null; // the kernel refused it; the client side had nothing to say
    }
    IptEntry e = RuleDriver.ruleEntry(c.replace(), c.chain());
    XtEntryTarget want = e.target();
    if (!want.name().equals(o.ext().realName()) || want.revision() != o.ext().revision()) {
      return "target " + o.ext().realName() + " rev " + o.ext().revision();
    }
    byte[] got = Arrays.copyOf(o.data().bytes(), Abi.align(o.ext().dataSize()));
    if (!Arrays.equals(got, want.data())) {
      return "bytes "
          + HexFormat.of().formatHex(got)
          + "\n      want "
          + HexFormat.of().formatHex(want.data());
    }
    String[] numeric = print(want, e.ip(), c.table(), true);
    String[] names = print(want, e.ip(), c.table(), false);
    if (numeric == null) {
      return "no printer for " + want.name() + " rev " + want.revision();
    }
    String saved = c.listed().isEmpty() ? "" : c.listed().get(0);
    if (!saved.endsWith(numeric[1])) {
      return "save " + numeric[1] + "\n      want " + saved;
    }
    boolean noMatches = e.matches().isEmpty() && !c.rule().contains(" -d ");
    String listN = c.listN().isEmpty() ? "" : c.listN().get(0);
    if (!listed(listN, numeric[0], noMatches ? "0.0.0.0/0" : null)) {
      return "list -n '" + numeric[0] + "'\n      want '" + listN + "'";
    }
    String list = c.list().isEmpty() ? "" : c.list().get(0);
    if (!list.isEmpty() && !listed(list, names[0], noMatches ? "anywhere" : null)) {
      return "list '" + names[0] + "'\n      want '" + list + "'";
    }
    return null;
  }

  /** The line ends with the print; without matches, right after the 20-wide destination column. */
  private static boolean listed(String line, String print, String destination) {
    if (!line.endsWith(print)) {
      return false;
    }
    String rest = line.substring(0, line.length() - print.length());
    return destination == null || rest.endsWith(String.format("%-20s", destination));
  }

  static List<OracleCases.Case> cases() {
    List<OracleCases.Case> all = new ArrayList<>(OracleCases.suite());
    all.addAll(OracleCases.load("/rules/ext-extra-targets.jsonl.gz"));
    return all.stream().filter(c -> targetName(c.rule()) != null).toList();
  }

  @Test
  void everyTargetCaseMatchesTheOracle() {
    Map<String, int[]> share = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    for (OracleCases.Case c : cases()) {
      String why = check(c);
      // a refusal before the target is the front-end's; a target with no codec is ours to fix
      if (why != null && why.startsWith("unsupported ") && !why.startsWith("unsupported target ")) {
        skipped.add(c.rule() + ": " + why);
        continue;
      }
      int[] s = share.computeIfAbsent(targetName(c.rule()), k -> new int[2]);
      s[1]++;
      if (why == null) {
        s[0]++;
      } else {
        failures.add(c.table() + " " + c.rule() + "\n    " + why);
      }
    }
    StringBuilder report = new StringBuilder("target oracle share:\n");
    int ok = 0;
    int total = 0;
    for (Map.Entry<String, int[]> s : share.entrySet()) {
      report.append(
          String.format("  %-12s %3d/%-3d%n", s.getKey(), s.getValue()[0], s.getValue()[1]));
      ok += s.getValue()[0];
      total += s.getValue()[1];
    }
    report.append(String.format("  %-12s %3d/%-3d%n", "all", ok, total));
    System.out.println(report);
    skipped.forEach(f -> System.out.println("SKIP " + f));
    failures.forEach(f -> System.out.println("FAIL " + f));
    assertThat(failures).isEmpty();
  }
}

package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Test-only stand-in for the front-end's rule parser: runs the -m segments of one rule through the
 * client extensions (generic options only feed ipt_ip's proto and invflags), and prints a blob's
 * matches back. Enough to hold the codecs against the oracle until the real parser lands.
 */
final class RuleDriver {
  static final Lookups LOOKUPS = Lookups.system();
  static final ExtensionRegistry KERNEL = ExtensionRegistry.kernel();
  static final Set<String> STANDARD_TARGETS = Set.of("ACCEPT", "DROP", "RETURN");

  private final XtExtensions registry;

  RuleDriver(XtExtensions registry) {
    this.registry = registry;
  }

  /** One match of the rule as parsed. */
  record Parsed(XtExtension ext, ExtData data) {
    byte[] padded() {
      return Arrays.copyOf(data.bytes(), Abi.align(ext.dataSize()));
    }
  }

  /** What the rule's text came to: its matches, or iptables' refusal; unsupported when neither. */
  record Outcome(
      List<Parsed> matches, IptIp ip, String target, RuleException error, String unsupported) {}

  Outcome parse(String table, String rule) {
    List<String> t = RuleText.split(rule);
    int proto = 0;
    int invflags = 0;
    boolean invert = false;
    List<Parsed> loaded = new ArrayList<>();
    String target = null;
    try {
      for (int i = 0; i < t.size(); i++) {
        String w = t.get(i);
        switch (w) {
          case "!" -> {
            invert = true;
            continue;
          }
          case "-p", "--protocol" -> {
            proto = Libxtables.protocol(t.get(++i), LOOKUPS);
            if (invert) {
              invflags |= IptIp.INV_PROTO;
            }
          }
          case "-s",
              "-d",
              "-i",
              "-o",
              "--source",
              "--destination",
              "--in-interface",
              "--out-interface" ->
              i++;
          case "-f", "--fragment" -> {}
          case "-m", "--match" -> {
            String name = t.get(++i);
            Optional<XtExtension> e = choose(name);
            if (e.isEmpty()) {
              return new Outcome(null, null, null, null, "match " + name);
            }
            loaded.add(load(e.get(), table, proto, invflags));
          }
          case "-j", "--jump" -> {
            target = t.get(++i);
            if (!STANDARD_TARGETS.contains(target)) {
              return new Outcome(null, null, null, null, "target " + target);
            }
          }
          default -> {
            if (!w.startsWith("--")) {
              return new Outcome(null, null, null, null, "word " + w);
            }
            String name = w.substring(2);
            Optional<Map.Entry<Parsed, XtOption>> hit = find(loaded, name);
            if (hit.isEmpty() && proto != 0) {
              // iptables loads the match named after -p when an option is unknown.
              Optional<String> pname = LOOKUPS.protocolName(proto);
              Optional<XtExtension> e = pname.flatMap(this::choose);
              if (e.isPresent() && loaded.stream().noneMatch(p -> p.ext() == e.get())) {
                loaded.add(load(e.get(), table, proto, invflags));
                hit = find(loaded, name);
              }
            }
            if (hit.isEmpty()) {
              throw RuleException.parameter("unknown option \"" + w + "\"");
            }
            Parsed p = hit.get().getKey();
            XtOption o = hit.get().getValue();
            String arg = null;
            if (o.takesArgument()) {
              if (i + 1 >= t.size()) {
                throw RuleException.parameter("option \"" + w + "\" requires an argument");
              }
              arg = t.get(++i);
              if ((o.flags() & XtOption.NEXT_WORD) != 0
                  && i + 1 < t.size()
                  && !t.get(i + 1).startsWith("-")
                  && !t.get(i + 1).startsWith("!")) {
                arg = arg + '\0' + t.get(++i);
              }
            }
            XtOptionParser.parse(p.ext(), o, arg, invert, p.data());
          }
        }
        invert = false;
      }
      for (Parsed p : loaded) {
        XtOptionParser.finish(p.ext(), p.data());
      }
    } catch (RuleException e) {
      return new Outcome(null, null, null, e, null);
    }
    return new Outcome(loaded, ip(proto, invflags), target, null, null);
  }

  static IptIp ip(int proto, int invflags) {
    return IptIp.ANY.withProto(proto).withFlags(0, invflags);
  }

  private Parsed load(XtExtension e, String table, int proto, int invflags) {
    ExtData d = new ExtData(new byte[e.dataSize()], ip(proto, invflags), table, LOOKUPS);
    e.init(d);
    return new Parsed(e, d);
  }

  /** The highest revision the kernel knows, as libxtables' compatible_revision probing. */
  Optional<XtExtension> choose(String name) {
    List<XtExtension> c = registry.candidates(ExtensionKind.MATCH, name);
    for (XtExtension e : c) {
      if (KERNEL.find(ExtensionKind.MATCH, e.realName(), e.revision()).isPresent()) {
        return Optional.of(e);
      }
    }
    return c.stream().findFirst();
  }

  /** getopt_long over the merged options, newest extension first: exact, then unique prefix. */
  private static Optional<Map.Entry<Parsed, XtOption>> find(List<Parsed> loaded, String name) {
    for (int i = loaded.size() - 1; i >= 0; i--) {
      for (XtOption o : loaded.get(i).ext().options()) {
        if (o.name().equals(name)) {
          return Optional.of(Map.entry(loaded.get(i), o));
        }
      }
    }
    Map.Entry<Parsed, XtOption> only = null;
    for (int i = loaded.size() - 1; i >= 0; i--) {
      for (XtOption o : loaded.get(i).ext().options()) {
        if (o.name().startsWith(name)) {
          if (only != null && (only.getKey() != loaded.get(i) || only.getValue().id() != o.id())) {
            return Optional.empty();
          }
          only = Map.entry(loaded.get(i), o);
        }
      }
    }
    return Optional.ofNullable(only);
  }

  /** The rule's entry in a recorded SET_REPLACE: the first of its (one-rule) chain. */
  static IptEntry ruleEntry(byte[] replace, String chain) {
    IptReplace r = IptReplace.decode(replace);
    int hook = List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING").indexOf(chain);
    int want = r.hookEntry()[hook];
    int off = 0;
    for (IptEntry e : r.entryList()) {
      if (off == want) {
        return e;
      }
      off += e.nextOffset();
    }
    throw new IllegalStateException("no entry at " + want);
  }

  /** A blob match's -L text and " -m alias opts" save text, or null when no extension prints it. */
  String[] print(XtEntryMatch m, IptIp ip, String table, boolean numeric) {
    Optional<XtExtension> e = registry.forBlob(ExtensionKind.MATCH, m.name(), m.revision());
    if (e.isEmpty()) {
      return null;
    }
    ExtData d = new ExtData(m.data(), ip, table, LOOKUPS);
    StringBuilder p = new StringBuilder();
    e.get().print(d, numeric, p);
    StringBuilder s = new StringBuilder(" -m ").append(e.get().alias(d));
    e.get().save(d, s);
    return new String[] {p.toString(), s.toString()};
  }
}

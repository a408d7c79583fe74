package bpfilterctl.cli.complete;

import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.KernelExtension;
import bpfilterctl.core.kernel.KernelExtensions;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jline.reader.Candidate;

/**
 * Completion of an iptables command line after the word "iptables": its commands and options, the
 * chains of the table named by -t (live, through the {@link ChainSource}), tables, protocols, match
 * names after -m, verdicts, chains and targets after -j, and the options of the matches and the
 * target the line has loaded so far (with -p's protocol match, as iptables loads it). The options
 * come from {@link FrontEndGrammar}, which iptables-save and iptables-restore lines use as well.
 */
public final class IptablesLineCompleter {
  private static final List<String> CHAIN_AFTER =
      List.of(
          "-A",
          "--append",
          "-C",
          "--check",
          "-D",
          "--delete",
          "-I",
          "--insert",
          "-R",
          "--replace",
          "-L",
          "--list",
          "-S",
          "--list-rules",
          "-F",
          "--flush",
          "-Z",
          "--zero",
          "-X",
          "--delete-chain",
          "-P",
          "--policy",
          "-E",
          "--rename-chain");
  private static final List<String> PROTOCOLS =
      List.of("all", "tcp", "udp", "icmp", "sctp", "udplite", "esp", "ah", "gre");
  private static final List<String> VERDICTS = List.of("ACCEPT", "DROP", "QUEUE", "RETURN");

  private final ChainSource chains;
  private final XtExtensions extensions;

  public IptablesLineCompleter(ChainSource chains, XtExtensions extensions) {
    this.chains = chains;
    this.extensions = extensions;
  }

  /** Candidates for the word being typed, {@code words} being the ones after "iptables". */
  public List<Candidate> complete(List<String> words, String current) {
    return complete(FrontEndGrammar.IPTABLES, words, current);
  }

  /** Candidates for the word being typed on a line of {@code grammar}'s command. */
  public List<Candidate> complete(FrontEndGrammar grammar, List<String> words, String current) {
    List<Candidate> out = new ArrayList<>();
    String prev = words.isEmpty() ? "" : words.get(words.size() - 1);
    String prev2 = words.size() < 2 ? "" : words.get(words.size() - 2);
    if (grammar != FrontEndGrammar.IPTABLES) {
      if (prev.equals("-t") || prev.equals("--table") || prev.equals("-T")) {
        Tables.NAMES.forEach(t -> out.add(value(t)));
      } else if (current.startsWith("-") || current.isEmpty()) {
        grammar.options().forEach(o -> o.names().forEach(n -> out.add(option(n, o.help()))));
      }
      return out;
    }
    String table = table(words);
    if (prev.equals("-t") || prev.equals("--table")) {
      Tables.NAMES.forEach(t -> out.add(value(t)));
    } else if ((prev2.equals("-P") || prev2.equals("--policy"))) {
      List.of("ACCEPT", "DROP").forEach(v -> out.add(value(v)));
    } else if (CHAIN_AFTER.contains(prev)) {
      chains.chains(table).forEach(c -> out.add(value(c)));
    } else if (prev.equals("-m") || prev.equals("--match")) {
      extensions.names(ExtensionKind.MATCH).forEach(n -> out.add(value(n)));
    } else if (prev.equals("-j") || prev.equals("--jump")) {
      VERDICTS.forEach(v -> out.add(value(v)));
      chains.chains(table).stream()
          .filter(c -> !Tables.builtinChains(table).contains(c))
          .forEach(c -> out.add(value(c)));
      extensions.names(ExtensionKind.TARGET).stream()
          .filter(n -> targetTables(n).isEmpty() || targetTables(n).contains(table))
          .forEach(n -> out.add(value(n)));
    } else if (prev.equals("-g") || prev.equals("--goto")) {
      chains.chains(table).stream()
          .filter(c -> !Tables.builtinChains(table).contains(c))
          .forEach(c -> out.add(value(c)));
    } else if (prev.equals("-p") || prev.equals("--protocol")) {
      PROTOCOLS.forEach(p -> out.add(value(p)));
    } else if (current.startsWith("-") || current.isEmpty()) {
      boolean hasCommand =
          words.stream()
              .anyMatch(
                  w ->
                      grammar.options().stream()
                          .anyMatch(o -> o.command() && o.names().contains(w)));
      for (FrontEndGrammar.Opt o : grammar.options()) {
        if (!(o.command() && hasCommand)) {
          o.names().forEach(n -> out.add(option(n, o.help())));
        }
      }
      grammar
          .extensionOptions(words, extensions)
          .forEach(o -> out.add(option("--" + o.longName(), o.help())));
    }
    return out;
  }

  /**
   * The tables the kernel lets a target into (every revision's; empty: any): -j offers DNAT in nat
   * only, as the kernel would refuse it elsewhere.
   */
  private static Set<String> targetTables(String name) {
    return TARGET_TABLES.getOrDefault(name, Set.of());
  }

  private static final Map<String, Set<String>> TARGET_TABLES = targetTablesOfTheKernel();

  private static Map<String, Set<String>> targetTablesOfTheKernel() {
    Map<String, Set<String>> byName = new HashMap<>();
    Set<String> anyTable = new HashSet<>();
    for (KernelExtension k : KernelExtensions.all()) {
      if (k.kind() != ExtensionKind.TARGET) {
        continue;
      }
      if (k.tables().isEmpty()) {
        anyTable.add(k.name());
      } else {
        byName.computeIfAbsent(k.name(), n -> new HashSet<>()).addAll(k.tables());
      }
    }
    anyTable.forEach(byName::remove);
    return Map.copyOf(byName);
  }

  private static String table(List<String> words) {
    String t = Tables.DEFAULT;
    for (int i = 0; i + 1 < words.size(); i++) {
      if (words.get(i).equals("-t") || words.get(i).equals("--table")) {
        t = words.get(i + 1);
      }
    }
    return t;
  }

  private static Candidate value(String v) {
    return new Candidate(v, v, null, null, null, null, true);
  }

  private static Candidate option(String name, String description) {
    return new Candidate(name, name, "options", description, null, null, true);
  }
}

package bpfilterctl.cli.complete;

import bpfilterctl.core.abi.ext.ExtensionKind;
import bpfilterctl.core.rules.ext.XtExtensions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jline.reader.Candidate;

/**
 * Completion of an iptables command line after the word "iptables": its commands and options, the
 * chains of the table named by -t (live, through the {@link ChainSource}), tables, protocols, match
 * names after -m, verdicts, chains and targets after -j, and the options of the matches and the
 * target the line has loaded so far (with -p's protocol match, as iptables loads it).
 */
public final class IptablesLineCompleter {
  private static final String[][] LONG_FORMS = {
    {"-A", "--append"},
    {"-C", "--check"},
    {"-D", "--delete"},
    {"-I", "--insert"},
    {"-R", "--replace"},
    {"-L", "--list"},
    {"-S", "--list-rules"},
    {"-F", "--flush"},
    {"-Z", "--zero"},
    {"-N", "--new-chain"},
    {"-X", "--delete-chain"},
    {"-P", "--policy"},
    {"-E", "--rename-chain"},
    {"-t", "--table"},
    {"-p", "--protocol"},
    {"-s", "--source"},
    {"-d", "--destination"},
    {"-i", "--in-interface"},
    {"-o", "--out-interface"},
    {"-m", "--match"},
    {"-j", "--jump"},
    {"-g", "--goto"},
    {"-f", "--fragment"},
    {"-c", "--set-counters"},
    {"-n", "--numeric"},
    {"-v", "--verbose"},
    {"-x", "--exact"},
  };

  private static final Map<String, String> COMMANDS = new LinkedHashMap<>();
  private static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    COMMANDS.put("-A", "append rules to a chain");
    COMMANDS.put("-C", "check whether a rule exists");
    COMMANDS.put("-D", "delete a rule (by spec or number)");
    COMMANDS.put("-I", "insert rules (default: at the top)");
    COMMANDS.put("-R", "replace rule number N");
    COMMANDS.put("-L", "list the rules");
    COMMANDS.put("-S", "print the rules as commands");
    COMMANDS.put("-F", "delete every rule");
    COMMANDS.put("-Z", "zero the counters");
    COMMANDS.put("-N", "create a user chain");
    COMMANDS.put("-X", "delete a user chain");
    COMMANDS.put("-P", "set a built-in chain's policy");
    COMMANDS.put("-E", "rename a user chain");
    OPTIONS.put("-t", "table (default filter)");
    OPTIONS.put("-p", "protocol");
    OPTIONS.put("-s", "source address[/mask][,...]");
    OPTIONS.put("-d", "destination address[/mask][,...]");
    OPTIONS.put("-i", "input interface");
    OPTIONS.put("-o", "output interface");
    OPTIONS.put("-m", "match extension");
    OPTIONS.put("-j", "target: verdict, chain or extension");
    OPTIONS.put("-g", "go to a chain");
    OPTIONS.put("-f", "second and later fragments");
    OPTIONS.put("-c", "set the counters: PKTS BYTES");
    OPTIONS.put("-n", "numeric output");
    OPTIONS.put("-v", "verbose output");
    OPTIONS.put("-x", "exact counters");
    OPTIONS.put("--line-numbers", "rule numbers in listings");
    for (String[] longForm : LONG_FORMS) {
      Map<String, String> m = COMMANDS.containsKey(longForm[0]) ? COMMANDS : OPTIONS;
      m.put(longForm[1], m.get(longForm[0]));
    }
  }

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
    List<Candidate> out = new ArrayList<>();
    String prev = words.isEmpty() ? "" : words.get(words.size() - 1);
    String prev2 = words.size() < 2 ? "" : words.get(words.size() - 2);
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
      extensions.names(ExtensionKind.TARGET).forEach(n -> out.add(value(n)));
    } else if (prev.equals("-g") || prev.equals("--goto")) {
      chains.chains(table).stream()
          .filter(c -> !Tables.builtinChains(table).contains(c))
          .forEach(c -> out.add(value(c)));
    } else if (prev.equals("-p") || prev.equals("--protocol")) {
      PROTOCOLS.forEach(p -> out.add(value(p)));
    } else if (current.startsWith("-") || current.isEmpty()) {
      boolean hasCommand = words.stream().anyMatch(COMMANDS::containsKey);
      if (!hasCommand) {
        COMMANDS.forEach((k, d) -> out.add(option(k, d)));
      }
      OPTIONS.forEach((k, d) -> out.add(option(k, d)));
      extensionOptions(words).forEach(o -> out.add(option("--" + o, null)));
    }
    return out;
  }

  /** The options of -m NAME matches, -p's protocol match and the -j target on the line. */
  private List<String> extensionOptions(List<String> words) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i + 1 < words.size(); i++) {
      String w = words.get(i);
      String next = words.get(i + 1);
      if (w.equals("-m") || w.equals("--match") || w.equals("-p") || w.equals("--protocol")) {
        out.addAll(extensions.optionNames(ExtensionKind.MATCH, next));
      } else if (w.equals("-j") || w.equals("--jump")) {
        out.addAll(extensions.optionNames(ExtensionKind.TARGET, next));
      }
    }
    return out;
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

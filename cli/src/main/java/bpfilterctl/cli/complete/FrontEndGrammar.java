package bpfilterctl.cli.complete;

import bpfilterctl.core.iptables.ext.XtExtension;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.iptables.ext.XtOption;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The options of the iptables front-end commands (iptables, iptables-save, iptables-restore) as
 * their getopt tables take them, with a description each: what completion offers and what the
 * shell's highlighter accepts. Matches and targets named on an iptables line ({@code -m}, {@code
 * -p}, {@code -j}) add their long options, as iptables loads them.
 */
public final class FrontEndGrammar {
  /** How an option takes its argument (getopt's no_argument, required and optional). */
  public enum Arity {
    NONE,
    REQUIRED,
    OPTIONAL
  }

  /**
   * One option: its short letter (0: none), long name (without "--"; null: none), whether it is one
   * of iptables' commands (-A, -L, ...), and what it does.
   */
  public record Opt(char shortName, String longName, Arity arity, boolean command, String help) {
    public List<String> names() {
      List<String> n = new ArrayList<>();
      if (shortName != 0) {
        n.add("-" + shortName);
      }
      if (longName != null) {
        n.add("--" + longName);
      }
      return n;
    }
  }

  /** What a word of a front-end line is. */
  public enum WordKind {
    /** An option the command knows. */
    OPTION,
    /** The argument of the option before it. */
    VALUE,
    /** A word that is neither: a chain, a rule number, a file, "!" ... */
    PLAIN,
    /** An option the command does not know (getopt will refuse it). */
    UNKNOWN_OPTION
  }

  private final String command;
  private final List<Opt> options;

  private FrontEndGrammar(String command, List<Opt> options) {
    this.command = command;
    this.options = List.copyOf(options);
  }

  public static final FrontEndGrammar IPTABLES =
      new FrontEndGrammar(
          "iptables",
          List.of(
              cmd('A', "append", Arity.REQUIRED, "append rules to a chain"),
              cmd('C', "check", Arity.REQUIRED, "check whether a rule exists"),
              cmd('D', "delete", Arity.REQUIRED, "delete a rule (by spec or number)"),
              cmd('I', "insert", Arity.REQUIRED, "insert rules (default: at the top)"),
              cmd('R', "replace", Arity.REQUIRED, "replace rule number N"),
              cmd('L', "list", Arity.OPTIONAL, "list the rules"),
              cmd('S', "list-rules", Arity.OPTIONAL, "print the rules as commands"),
              cmd('F', "flush", Arity.OPTIONAL, "delete every rule"),
              cmd('Z', "zero", Arity.OPTIONAL, "zero the counters"),
              cmd('N', "new-chain", Arity.REQUIRED, "create a user chain"),
              cmd('X', "delete-chain", Arity.OPTIONAL, "delete a user chain"),
              cmd('P', "policy", Arity.REQUIRED, "set a built-in chain's policy"),
              cmd('E', "rename-chain", Arity.REQUIRED, "rename a user chain"),
              opt('t', "table", Arity.REQUIRED, "table (default filter)"),
              opt('p', "protocol", Arity.REQUIRED, "protocol"),
              opt('s', "source", Arity.REQUIRED, "source address[/mask][,...]"),
              opt((char) 0, "src", Arity.REQUIRED, "source address[/mask][,...]"),
              opt('d', "destination", Arity.REQUIRED, "destination address[/mask][,...]"),
              opt((char) 0, "dst", Arity.REQUIRED, "destination address[/mask][,...]"),
              opt('i', "in-interface", Arity.REQUIRED, "input interface"),
              opt('o', "out-interface", Arity.REQUIRED, "output interface"),
              opt('m', "match", Arity.REQUIRED, "match extension"),
              opt('j', "jump", Arity.REQUIRED, "target: verdict, chain or extension"),
              opt('g', "goto", Arity.REQUIRED, "go to a chain"),
              opt('f', "fragments", Arity.NONE, "second and later fragments"),
              opt('c', "set-counters", Arity.REQUIRED, "set the counters: PKTS BYTES"),
              opt('n', "numeric", Arity.NONE, "numeric output"),
              opt('v', "verbose", Arity.NONE, "verbose output"),
              opt('x', "exact", Arity.NONE, "exact counters"),
              opt((char) 0, "line-numbers", Arity.NONE, "rule numbers in listings"),
              opt('w', "wait", Arity.OPTIONAL, "wait for the xtables lock"),
              opt('W', "wait-interval", Arity.OPTIONAL, "interval to wait for the lock"),
              opt('M', "modprobe", Arity.REQUIRED, "the modprobe to use"),
              opt('4', "ipv4", Arity.NONE, "IPv4 (the default)"),
              opt('6', "ipv6", Arity.NONE, "IPv6 (refused: iptables is IPv4)"),
              opt('h', "help", Arity.OPTIONAL, "iptables' usage"),
              opt('V', "version", Arity.NONE, "iptables' version")));

  public static final FrontEndGrammar IPTABLES_SAVE =
      new FrontEndGrammar(
          "iptables-save",
          List.of(
              opt('c', "counters", Arity.NONE, "with the counters"),
              opt('t', "table", Arity.REQUIRED, "only this table"),
              opt('f', "file", Arity.REQUIRED, "write to FILE"),
              opt('M', "modprobe", Arity.REQUIRED, "the modprobe to use"),
              opt('b', "binary", Arity.NONE, "binary output (not implemented by iptables)"),
              opt('d', "dump", Arity.NONE, "dump (not implemented by iptables)"),
              opt('V', "version", Arity.NONE, "iptables-save's version")));

  public static final FrontEndGrammar IPTABLES_RESTORE =
      new FrontEndGrammar(
          "iptables-restore",
          List.of(
              opt('c', "counters", Arity.NONE, "restore the counters"),
              opt('n', "noflush", Arity.NONE, "do not flush the tables first"),
              opt('t', "test", Arity.NONE, "parse and build, commit nothing"),
              opt('v', "verbose", Arity.NONE, "verbose"),
              opt('T', "table", Arity.REQUIRED, "only this table"),
              opt('w', "wait", Arity.OPTIONAL, "wait for the xtables lock"),
              opt('W', "wait-interval", Arity.OPTIONAL, "interval to wait for the lock"),
              opt('M', "modprobe", Arity.REQUIRED, "the modprobe to use"),
              opt('h', "help", Arity.NONE, "iptables-restore's usage"),
              opt('V', "version", Arity.NONE, "iptables-restore's version"),
              opt('b', "binary", Arity.NONE, "binary input (not implemented by iptables)")));

  public static final FrontEndGrammar IPTABLES_XML =
      new FrontEndGrammar(
          "iptables-xml",
          List.of(
              opt('c', "combine", Arity.NONE, "combine the actions of rules with equal conditions"),
              opt('v', "verbose", Arity.NONE, "each input line as a comment"),
              opt('h', "help", Arity.NONE, "iptables-xml's usage")));

  private static Opt cmd(char s, String l, Arity a, String help) {
    return new Opt(s, l, a, true, help);
  }

  private static Opt opt(char s, String l, Arity a, String help) {
    return new Opt(s, l, a, false, help);
  }

  /** The grammar of a front-end command, by its name. */
  public static Optional<FrontEndGrammar> of(String command) {
    return switch (command) {
      case "iptables" -> Optional.of(IPTABLES);
      case "iptables-save" -> Optional.of(IPTABLES_SAVE);
      case "iptables-restore" -> Optional.of(IPTABLES_RESTORE);
      case "iptables-xml" -> Optional.of(IPTABLES_XML);
      default -> Optional.empty();
    };
  }

  public String command() {
    return command;
  }

  public List<Opt> options() {
    return options;
  }

  /**
   * The options the line {@code words} has loaded: the extensions named after -m and -p (matches)
   * and -j (targets), each revision's options once, with a description saying whose they are.
   */
  public List<Opt> extensionOptions(List<String> words, XtExtensions extensions) {
    if (this != IPTABLES || extensions == null) {
      return List.of();
    }
    Map<String, Opt> out = new LinkedHashMap<>();
    for (Loaded l : loaded(words)) {
      ExtensionKind kind = l.kind();
      String next = l.name();
      for (XtExtension x : extensions.candidates(kind, next)) {
        for (XtOption o : x.options()) {
          out.putIfAbsent(
              o.name(),
              new Opt(
                  (char) 0,
                  o.name(),
                  o.takesArgument() ? Arity.REQUIRED : Arity.NONE,
                  false,
                  describe(next, kind, o)));
        }
      }
    }
    return List.copyOf(out.values());
  }

  /** An extension a line names: after -m or -p a match, after -j a target. */
  public record Loaded(ExtensionKind kind, String name) {}

  /**
   * The extensions {@code words} name, in order, however the option is spelt: -m NAME, -mNAME,
   * --match NAME, --match=NAME, --ma NAME, -jLOG, a cluster ending in -p.
   */
  public List<Loaded> loaded(List<String> words) {
    List<Loaded> out = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (!w.startsWith("-") || w.length() < 2) {
        continue;
      }
      Opt o;
      String value;
      if (w.startsWith("--")) {
        int eq = w.indexOf('=');
        Optional<Opt> f = findLong(options, w.substring(2, eq < 0 ? w.length() : eq));
        if (f.isEmpty()) {
          continue;
        }
        o = f.get();
        value = eq >= 0 ? w.substring(eq + 1) : i + 1 < words.size() ? words.get(i + 1) : null;
      } else {
        o = null;
        value = null;
        for (int c = 1; c < w.length(); c++) {
          Optional<Opt> f = findShort(options, w.charAt(c));
          if (f.isEmpty() || f.get().arity() != Arity.NONE) {
            o = f.orElse(null);
            value =
                c + 1 < w.length()
                    ? w.substring(c + 1)
                    : i + 1 < words.size() ? words.get(i + 1) : null;
            break;
          }
        }
      }
      if (o == null || value == null || o.longName() == null) {
        continue;
      }
      switch (o.longName()) {
        case "match", "protocol" -> out.add(new Loaded(ExtensionKind.MATCH, value));
        case "jump" -> out.add(new Loaded(ExtensionKind.TARGET, value));
        default -> {}
      }
    }
    return out;
  }

  private static String describe(String ext, ExtensionKind kind, XtOption o) {
    String whose = ext + (kind == ExtensionKind.MATCH ? " match" : " target");
    if (!o.takesArgument()) {
      return whose + " flag";
    }
    String arg = o.type().name().toLowerCase().replace('_', ' ');
    return whose + ", takes " + arg + (o.invertible() ? " (! inverts)" : "");
  }

  /** Whether {@code word} is the option with that short letter or (exactly) that long name. */
  public static boolean isOption(String word, char shortName, String longName) {
    return word.equals("-" + shortName) || word.equals("--" + longName);
  }

  /**
   * What each of {@code words} (the words after the command's name) is, read as getopt_long reads
   * them: clusters of short options ({@code -nvL}), an argument attached or in the next word,
   * {@code --name=value}, and unambiguous abbreviations of long names.
   */
  public List<WordKind> classify(List<String> words, XtExtensions extensions) {
    List<WordKind> kinds = new ArrayList<>();
    boolean valueNext = false;
    for (int i = 0; i < words.size(); i++) {
      String w = words.get(i);
      if (valueNext) {
        kinds.add(WordKind.VALUE);
        valueNext = false;
        continue;
      }
      if (!w.startsWith("-") || w.equals("-") || w.equals("--")) {
        kinds.add(WordKind.PLAIN);
        continue;
      }
      List<Opt> known = new ArrayList<>(options);
      known.addAll(extensionOptions(words.subList(0, i), extensions));
      if (w.startsWith("--")) {
        int eq = w.indexOf('=');
        String name = w.substring(2, eq < 0 ? w.length() : eq);
        Optional<Opt> o = findLong(known, name);
        if (o.isEmpty()) {
          kinds.add(WordKind.UNKNOWN_OPTION);
          continue;
        }
        kinds.add(WordKind.OPTION);
        valueNext = eq < 0 && o.get().arity() == Arity.REQUIRED;
        continue;
      }
      // A cluster of short options; the first that takes an argument ends it.
      WordKind kind = WordKind.OPTION;
      for (int c = 1; c < w.length(); c++) {
        Optional<Opt> o = findShort(known, w.charAt(c));
        if (o.isEmpty()) {
          kind = WordKind.UNKNOWN_OPTION;
          break;
        }
        if (o.get().arity() != Arity.NONE) {
          valueNext = c == w.length() - 1 && o.get().arity() == Arity.REQUIRED;
          break;
        }
      }
      kinds.add(kind);
    }
    return kinds;
  }

  /** Whether some option's long name starts with {@code prefix} (a word still being typed). */
  public boolean couldBecome(String word, List<String> before, XtExtensions extensions) {
    if (!word.startsWith("--")) {
      return word.equals("-");
    }
    List<Opt> known = new ArrayList<>(options);
    known.addAll(extensionOptions(before, extensions));
    String prefix = word.substring(2);
    return known.stream().anyMatch(o -> o.longName() != null && o.longName().startsWith(prefix));
  }

  private static Optional<Opt> findShort(List<Opt> known, char c) {
    return known.stream().filter(o -> o.shortName() == c).findFirst();
  }

  /** getopt_long: an exact name, else the one option the prefix abbreviates. */
  private static Optional<Opt> findLong(List<Opt> known, String name) {
    if (name.isEmpty()) {
      return Optional.empty();
    }
    for (Opt o : known) {
      if (name.equals(o.longName())) {
        return Optional.of(o);
      }
    }
    List<Opt> prefixed =
        known.stream().filter(o -> o.longName() != null && o.longName().startsWith(name)).toList();
    // Two names for one thing (--source and --src) are not ambiguous to getopt either.
    return prefixed.stream().map(Opt::help).distinct().count() == 1
        ? Optional.of(prefixed.get(0))
        : Optional.empty();
  }
}

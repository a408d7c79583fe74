package bpfilterctl.core.iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * GNU getopt_long as iptables drives it: in-order mode (optstring starts with "-", so words that
 * are not options come back one by one), ':' for a missing argument, '?' for an unknown option, and
 * long options matched exactly or by an unambiguous prefix. The long-option table changes while
 * parsing (extensions add theirs), so it is passed to every {@link #next} call.
 */
final class Getopt {
  /** A long option: {@code key} identifies it to the caller. */
  record LongOpt(String name, int hasArg, Object key) {}

  /** What {@link #next} found. */
  record Found(Kind kind, char shortName, Object key, String arg, String word) {
    /** The option's letter: a short option's, or the key of a long one; '?' for anything else. */
    char code() {
      if (kind == Kind.LONG && key instanceof Character c) {
        return c;
      }
      return kind == Kind.SHORT ? shortName : '?';
    }
  }

  enum Kind {
    SHORT,
    LONG,
    NON_OPTION,
    UNKNOWN,
    MISSING_ARGUMENT,
    END
  }

  private final List<String> argv;
  private final String optstring;
  private int optind;
  private int nextChar;

  Getopt(List<String> argv, String optstring) {
    this.argv = new ArrayList<>(argv);
    this.optstring = optstring;
  }

  int optind() {
    return optind;
  }

  /** Steps back one word, for iptables' "optind--" after it loaded the protocol's match. */
  void rewind() {
    optind--;
    nextChar = 0;
  }

  List<String> argv() {
    return argv;
  }

  /** xs_has_arg: the next word exists and starts with neither '-' nor '!'. */
  boolean hasArg() {
    return optind < argv.size()
        && !argv.get(optind).startsWith("-")
        && !argv.get(optind).startsWith("!");
  }

  /**
   * argv[optind - 1] after {@link #next}: the argument when it came as its own word, the whole
   * "-ptcp" or "--protocol=tcp" word when it came attached (iptables 1.8.9 reads this, not optarg,
   * for -p -s -d -i -o -j, and so refuses the attached forms).
   */
  String previousWord() {
    return argv.get(optind - 1);
  }

  /** Takes the next word (for the optional positional arguments of -D, -L, -P, ...). */
  String take() {
    return argv.get(optind++);
  }

  Found next(List<LongOpt> longs) {
    if (nextChar > 0) {
      return shortOption();
    }
    if (optind >= argv.size()) {
      return new Found(Kind.END, '\0', null, null, null);
    }
    String w = argv.get(optind);
    if (w.equals("--")) {
      optind++;
      return new Found(Kind.END, '\0', null, null, null);
    }
    if (w.startsWith("--")) {
      optind++;
      return longOption(w, longs);
    }
    if (w.startsWith("-") && w.length() > 1) {
      nextChar = 1;
      return shortOption();
    }
    optind++;
    return new Found(Kind.NON_OPTION, '\0', null, w, w);
  }

  private Found longOption(String w, List<LongOpt> longs) {
    int eq = w.indexOf('=');
    String name = eq < 0 ? w.substring(2) : w.substring(2, eq);
    String inline = eq < 0 ? null : w.substring(eq + 1);
    LongOpt hit = null;
    for (LongOpt o : longs) {
      if (o.name().equals(name)) {
        hit = o;
        break;
      }
    }
    if (hit == null) {
      boolean ambiguous = false;
      for (LongOpt o : longs) {
        if (!name.isEmpty() && o.name().startsWith(name)) {
          if (hit == null) {
            hit = o;
          } else if (!hit.key().equals(o.key()) || hit.hasArg() != o.hasArg()) {
            ambiguous = true;
          }
        }
      }
      if (ambiguous) {
        hit = null;
      }
    }
    if (hit == null) {
      return new Found(Kind.UNKNOWN, '\0', null, null, w);
    }
    String arg = null;
    if (hit.hasArg() == 0) {
      if (inline != null) {
        return new Found(Kind.UNKNOWN, '\0', null, null, w);
      }
    } else if (inline != null) {
      arg = inline;
    } else if (hit.hasArg() == 1) {
      if (optind >= argv.size()) {
        return new Found(Kind.MISSING_ARGUMENT, '\0', null, null, w);
      }
      arg = argv.get(optind++);
    }
    return new Found(Kind.LONG, '\0', hit.key(), arg, w);
  }

  private Found shortOption() {
    String w = argv.get(optind);
    char c = w.charAt(nextChar++);
    boolean last = nextChar >= w.length();
    int at = c == ':' || c == '-' ? -1 : optstring.indexOf(c, 1);
    if (at < 0) {
      if (last) {
        finishWord();
      }
      return new Found(Kind.UNKNOWN, c, null, null, "-" + c);
    }
    boolean takesArg = at + 1 < optstring.length() && optstring.charAt(at + 1) == ':';
    boolean optional = takesArg && at + 2 < optstring.length() && optstring.charAt(at + 2) == ':';
    if (!takesArg) {
      if (last) {
        finishWord();
      }
      return new Found(Kind.SHORT, c, null, null, w);
    }
    String rest = last ? null : w.substring(nextChar);
    finishWord();
    if (rest != null) {
      return new Found(Kind.SHORT, c, null, rest, w);
    }
    if (optional) {
      return new Found(Kind.SHORT, c, null, null, w);
    }
    if (optind >= argv.size()) {
      return new Found(Kind.MISSING_ARGUMENT, c, null, null, "-" + c);
    }
    return new Found(Kind.SHORT, c, null, argv.get(optind++), w);
  }

  private void finishWord() {
    optind++;
    nextChar = 0;
  }
}

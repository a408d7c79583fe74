package bpfilterctl.cli;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/** {@code --color=auto|always|never}: whether output may carry ANSI colour. */
public enum ColorMode {
  AUTO,
  ALWAYS,
  NEVER;

  /**
   * The flag beats the environment (no-color.org): {@code always} colours even under NO_COLOR;
   * {@code auto} colours only on a terminal and only when NO_COLOR is unset or empty.
   */
  public boolean enabled(String noColorEnv, boolean terminal) {
    return switch (this) {
      case ALWAYS -> true;
      case NEVER -> false;
      case AUTO -> terminal && (noColorEnv == null || noColorEnv.isEmpty());
    };
  }

  /**
   * The last {@code --color} among the arguments before the first subcommand word would be needed
   * before picocli parses them, since a usage error is printed during parsing. An unknown value is
   * left for the parser to reject.
   */
  public static ColorMode scan(String[] args) {
    ColorMode mode = AUTO;
    for (int i = 0; i < args.length; i++) {
      String v = null;
      if (args[i].startsWith("--color=")) {
        v = args[i].substring("--color=".length());
      } else if (args[i].equals("--color") && i + 1 < args.length) {
        v = args[++i];
      }
      if (v != null) {
        try {
          mode = valueOf(v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          // the parser reports it with the valid values
        }
      }
    }
    return mode;
  }

  /** The values as typed, for completion and help. */
  public static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("auto", "always", "never").iterator();
    }
  }
}

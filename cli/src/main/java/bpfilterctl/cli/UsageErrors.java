package bpfilterctl.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A usage error is one or two lines on stderr, as git and systemctl give them: what was wrong, the
 * nearest names (by edit distance, nearest first), and where help is; never the whole help page.
 * Exit status 2.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cl = ex.getCommandLine();
    CommandSpec spec = cl.getCommandSpec();
    PrintWriter err = cl.getErr();
    String help = "'" + spec.qualifiedName() + " --help'";
    if (ex instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String word = u.getUnmatched().get(0);
      if (!word.startsWith("-") && !spec.subcommands().isEmpty()) {
        List<String> near = nearest(word, commandNames(spec));
        err.printf(
            "%s: unknown command '%s'%s%n",
            spec.qualifiedName(), word, near.isEmpty() ? "" : " (did you mean " + or(near) + "?)");
        err.printf("See %s for the commands.%n", help);
        return ExitCodes.USAGE;
      }
      if (word.startsWith("-")) {
        List<String> near = nearest(word, optionNames(spec));
        err.printf(
            "%s: unknown option '%s'%s%n",
            spec.qualifiedName(), word, near.isEmpty() ? "" : " (did you mean " + or(near) + "?)");
        err.printf("See %s.%n", help);
        return ExitCodes.USAGE;
      }
    }
    err.printf("%s: %s%n", spec.qualifiedName(), ex.getMessage());
    err.printf("See %s.%n", help);
    return ExitCodes.USAGE;
  }

  private static List<String> commandNames(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    spec.subcommands()
        .forEach(
            (name, sub) -> {
              if (!sub.getCommandSpec().usageMessage().hidden()) {
                names.add(name);
              }
            });
    return names;
  }

  private static List<String> optionNames(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!o.hidden()) {
        names.addAll(List.of(o.names()));
      }
    }
    return names;
  }

  /** The names within a few edits of {@code word}, nearest first (at most three). */
  static List<String> nearest(String word, List<String> names) {
    int limit = Math.max(2, word.length() / 3);
    return names.stream()
        .distinct()
        .filter(n -> distance(word, n) <= limit)
        .sorted(Comparator.comparingInt((String n) -> distance(word, n)).thenComparing(n -> n))
        .limit(3)
        .toList();
  }

  private static String or(List<String> names) {
    return names.size() == 1
        ? names.get(0)
        : String.join(", ", names.subList(0, names.size() - 1))
            + " or "
            + names.get(names.size() - 1);
  }

  /** Damerau-Levenshtein (optimal string alignment): a swap of two letters is one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}

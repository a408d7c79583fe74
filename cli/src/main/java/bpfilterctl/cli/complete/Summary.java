package bpfilterctl.cli.complete;

import picocli.CommandLine.Model.CommandSpec;

/**
 * A command's one-line summary, wherever one is shown (Tab descriptions, completion scripts, man
 * NAME lines): its header when it has one, else the first line of its description, with picocli's
 * format markers ({@code %n}, {@code ${...}}) gone.
 */
public final class Summary {
  private Summary() {}

  public static String of(CommandSpec spec) {
    String[] header = spec.usageMessage().header();
    String[] description = spec.usageMessage().description();
    String[] from = header.length > 0 ? header : description;
    for (String line : from) {
      for (String part : line.split("%n")) {
        String s = clean(part);
        if (!s.isEmpty()) {
          return s;
        }
      }
    }
    return "";
  }

  /** One line of help text without picocli's markers. */
  public static String clean(String line) {
    return line.replaceAll("\\$\\{[^}]*}", "").replace("%n", " ").replace("%%", "%").strip();
  }
}

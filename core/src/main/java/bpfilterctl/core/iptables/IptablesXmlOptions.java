package bpfilterctl.core.iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * iptables-xml 1.8.9's command line, read as its getopt_long loop reads it ("cvh", permuting): -c
 * combines, -v prints "xptables-xml" at once and comments every line, -h prints the usage and exits
 * 1. An unknown option is complained about and ignored. One word left over names the input file;
 * more than one is refused.
 */
public record IptablesXmlOptions(
    boolean combine, boolean verbose, String file, String stdout, String stderr, int status) {

  static final String PROGRAM = "iptables-xml";

  /** Whether iptables-xml stops here (with {@link #status}) instead of converting. */
  public boolean exits() {
    return status >= 0;
  }

  public static IptablesXmlOptions parse(List<String> argv) {
    Getopt g = new Getopt(argv, "-cvh");
    List<Getopt.LongOpt> longs =
        List.of(
            new Getopt.LongOpt("verbose", 0, 'v'),
            new Getopt.LongOpt("combine", 0, 'c'),
            new Getopt.LongOpt("help", 0, 'h'));
    boolean combine = false;
    boolean verbose = false;
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    List<String> words = new ArrayList<>();
    while (true) {
      Getopt.Found f = g.next(longs);
      if (f.kind() == Getopt.Kind.END) {
        // after "--" every word is an operand, options or not
        words.addAll(g.argv().subList(g.optind(), g.argv().size()));
        break;
      }
      if (f.kind() == Getopt.Kind.NON_OPTION) {
        words.add(f.arg());
        continue;
      }
      switch (f.code()) {
        case 'c' -> combine = true;
        case 'v' -> {
          out.append("xptables-xml\n");
          verbose = true;
        }
        case 'h' -> {
          err.append(usage());
          return new IptablesXmlOptions(combine, verbose, null, out.toString(), err.toString(), 1);
        }
        default -> err.append(complaint(f, longs));
      }
    }
    if (words.size() > 1) {
      err.append("Unknown arguments found on commandline");
      return new IptablesXmlOptions(combine, verbose, null, out.toString(), err.toString(), 1);
    }
    return new IptablesXmlOptions(
        combine,
        verbose,
        words.isEmpty() ? null : words.get(0),
        out.toString(),
        err.toString(),
        -1);
  }

  static String usage() {
    return "Usage: "
        + PROGRAM
        + " [-c] [-v] [-h]\n"
        + "          [--combine ]\n"
        + "\t   [ --verbose ]\n"
        + "\t   [ --help ]\n";
  }

  /** What glibc's getopt_long prints before it returns '?' (iptables-xml then carries on). */
  private static String complaint(Getopt.Found f, List<Getopt.LongOpt> longs) {
    String w = f.word();
    if (w == null || !w.startsWith("--")) {
      return PROGRAM + ": invalid option -- '" + f.shortName() + "'\n";
    }
    int eq = w.indexOf('=');
    String name = eq < 0 ? w.substring(2) : w.substring(2, eq);
    List<Getopt.LongOpt> prefixed = longs.stream().filter(o -> o.name().startsWith(name)).toList();
    if (prefixed.size() > 1) {
      StringBuilder s = new StringBuilder(PROGRAM + ": option '" + w + "' is ambiguous;");
      s.append(" possibilities:");
      prefixed.forEach(o -> s.append(" '--").append(o.name()).append('\''));
      return s.append('\n').toString();
    }
    if (prefixed.size() == 1 && eq >= 0) {
      return PROGRAM + ": option '--" + prefixed.get(0).name() + "' doesn't allow an argument\n";
    }
    return PROGRAM + ": unrecognized option '" + w + "'\n";
  }
}

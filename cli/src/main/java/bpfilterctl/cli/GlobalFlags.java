package bpfilterctl.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code -j/--json} and {@code -q/--quiet} before the command, as nft, bpftool and systemctl take
 * them: {@code bpfilterctl -j status} is {@code bpfilterctl status --json}; {@code -q} keeps stdout
 * quiet (errors still go to stderr, the exit status says the rest).
 */
public record GlobalFlags(boolean json, boolean quiet, List<String> args) {

  /** Thrown for -j before a command that has no JSON output. */
  static final class NoJson extends Exception {
    private static final long serialVersionUID = 1L;

    NoJson(String command) {
      super(command + " has no JSON output (-j/--json)");
    }
  }

  /** Runs one command line of a session (one-shot, batch line, shell line) with -j and -q. */
  public static int execute(Session session, Io io, String[] argv) {
    CommandLine cl = Commands.forLine(session, io, argv);
    GlobalFlags g;
    try {
      g = scan(cl, argv);
    } catch (NoJson e) {
      io.err().println("bpfilterctl: " + e.getMessage());
      io.err().flush();
      return ExitCodes.USAGE;
    }
    if (g.quiet()) {
      Io quiet =
          new Io(
              new java.io.PrintWriter(java.io.Writer.nullWriter()),
              io.err(),
              io.colour(),
              io.inShell());
      cl = Commands.forLine(session, quiet, argv);
    }
    return cl.execute(g.args().toArray(String[]::new));
  }

  /** The flags before the first command word taken out, and --json put after the command. */
  static GlobalFlags scan(CommandLine root, String[] argv) throws NoJson {
    List<String> args = new ArrayList<>(List.of(argv));
    boolean json = false;
    boolean quiet = false;
    int i = 0;
    CommandSpec spec = root.getCommandSpec();
    while (i < args.size()) {
      String w = args.get(i);
      switch (w) {
        case "-j", "--json" -> {
          json = true;
          args.remove(i);
          continue;
        }
        case "-q", "--quiet" -> {
          quiet = true;
          args.remove(i);
          continue;
        }
        case "-jq", "-qj" -> {
          json = true;
          quiet = true;
          args.remove(i);
          continue;
        }
        default -> {}
      }
      if (!w.startsWith("-")) {
        break; // the command
      }
      i += words(spec, w);
    }
    if (json && i < args.size()) {
      // down to the command that runs: get info, traffic show ...
      CommandLine at = root;
      int end = i;
      while (end < args.size() && at.getSubcommands().containsKey(args.get(end))) {
        at = at.getSubcommands().get(args.get(end));
        end++;
      }
      if (at.getCommandSpec().findOption("--json") == null) {
        throw new NoJson(at.getCommandSpec().qualifiedName());
      }
      args.add(end, "--json");
    }
    return new GlobalFlags(json, quiet, args);
  }

  /**
   * The command of a command line (iptables, status, ...): its first word after the flags; empty
   * when there is none, or when the root's --help or --version comes first (the root answers).
   */
  static String commandWord(CommandSpec root, String[] argv) {
    int i = 0;
    while (i < argv.length && argv[i].startsWith("-")) {
      OptionSpec o = root.findOption(argv[i]);
      if (o != null && (o.usageHelp() || o.versionHelp())) {
        return "";
      }
      i += words(root, argv[i]);
    }
    return i < argv.length ? argv[i] : "";
  }

  /** How many words the root's option {@code w} takes: itself, and its value unless after '='. */
  private static int words(CommandSpec root, String w) {
    OptionSpec o = root.findOption(w.contains("=") ? w.substring(0, w.indexOf('=')) : w);
    return o != null && o.arity().min() > 0 && !w.contains("=") ? 2 : 1;
  }
}

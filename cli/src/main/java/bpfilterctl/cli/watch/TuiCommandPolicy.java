package bpfilterctl.cli.watch;

import bpfilterctl.core.iptables.IptablesRestore;
import java.util.List;
import java.util.Optional;

/**
 * The few command lines the watch command line cannot run, because they would take the terminal
 * from the screen (stdin, another watch) or never end (a daemon in the foreground).
 */
final class TuiCommandPolicy {
  private TuiCommandPolicy() {}

  static Optional<String> refusal(List<String> words) {
    String verb = words.get(0);
    if (words.contains("--batch")) {
      return Optional.of("--batch reads the terminal: run it from the shell");
    }
    if (verb.equals("exec")) {
      return Optional.of("exec gives the terminal to its command: run it from the shell");
    }
    if (verb.equals("watch")) {
      return Optional.of("watch is running already");
    }
    if (verb.equals("raw") && words.stream().skip(1).noneMatch(w -> !w.startsWith("-"))) {
      return Optional.of("raw reads its calls from stdin here: give it a FILE");
    }
    if (verb.equals("iptables-restore") && restoresFromStdin(words.subList(1, words.size()))) {
      return Optional.of(
          "iptables-restore reads stdin here, which the screen owns: give it a FILE");
    }
    if (verb.equals("set") && words.contains("-")) {
      return Optional.of("- reads stdin, which the screen owns here: give a FILE");
    }
    if (verb.equals("daemon")
        && !words.contains("stop")
        && !words.contains("--detach")
        && !words.contains("-h")
        && !words.contains("--help")) {
      return Optional.of("a daemon in the foreground never returns: use daemon --detach");
    }
    return Optional.empty();
  }

  /** Whether iptables-restore would read stdin: no FILE, and not an early exit (-h, a bad -x). */
  private static boolean restoresFromStdin(List<String> args) {
    try {
      return IptablesRestore.options(args).file() == null;
    } catch (IptablesRestore.Usage u) {
      return false;
    }
  }
}

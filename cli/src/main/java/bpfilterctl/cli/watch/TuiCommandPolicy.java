package bpfilterctl.cli.watch;

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
    if (verb.equals("daemon")
        && !words.contains("stop")
        && !words.contains("--detach")
        && !words.contains("-h")
        && !words.contains("--help")) {
      return Optional.of("a daemon in the foreground never returns: use daemon --detach");
    }
    return Optional.empty();
  }
}

package bpfilterctl.cli.complete;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Completion candidates for the value of one option or positional parameter, given the words before
 * it on the line. Empty when this source does not know the parameter, so that sources can be
 * chained: a command with live knowledge first, the built-in grammar last.
 */
@FunctionalInterface
public interface ValueSource {
  Optional<List<String>> values(ArgSpec arg, List<String> before);

  default ValueSource orElse(ValueSource next) {
    return (arg, before) -> {
      Optional<List<String>> mine = values(arg, before);
      return mine.isPresent() ? mine : next.values(arg, before);
    };
  }
}

package bpfilterctl.cli.complete;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import picocli.CommandLine.Model.ArgSpec;

/**
 * Values by what a parameter is: its picocli candidates (enums, fixed lists), or, by its label,
 * TABLE, CHAIN (of the table named by a {@code -t} before it), MATCH and TARGET (from the extension
 * registry the umh uses, so a new extension completes without touching this class).
 */
public final class GrammarValues implements ValueSource {
  /** The verdicts every chain can jump to, besides the registered targets and the chains. */
  static final List<String> VERDICTS = List.of("ACCEPT", "DROP", "QUEUE", "RETURN");

  private final ChainSource chains;
  private final ExtensionRegistry extensions;

  public GrammarValues(ChainSource chains, ExtensionRegistry extensions) {
    this.chains = chains;
    this.extensions = extensions;
  }

  @Override
  public Optional<List<String>> values(ArgSpec arg, List<String> before) {
    String label = arg.paramLabel().replaceAll("[<>]", "");
    switch (label) {
      case "TABLE":
        return Optional.of(Tables.NAMES);
      case "CHAIN":
        return Optional.of(chains.chains(tableOf(before)));
      case "MATCH":
        return Optional.of(extensions.names(ExtensionKind.MATCH));
      case "TARGET":
        List<String> targets = new ArrayList<>(VERDICTS);
        // "" (the standard target) and ERROR exist in blobs only; nobody types them after -j.
        extensions.names(ExtensionKind.TARGET).stream()
            .filter(n -> !n.isEmpty() && !n.equals("ERROR"))
            .forEach(targets::add);
        targets.addAll(chains.chains(tableOf(before)));
        return Optional.of(targets.stream().distinct().toList());
      default:
        break;
    }
    Iterable<String> fixed = arg.completionCandidates();
    if (fixed != null) {
      return Optional.of(StreamSupport.stream(fixed.spliterator(), false).toList());
    }
    return Optional.empty();
  }

  /** The table of an iptables-style line: the value of its last {@code -t}/{@code --table}. */
  static String tableOf(List<String> before) {
    String table = Tables.DEFAULT;
    for (int i = 0; i + 1 < before.size(); i++) {
      if (before.get(i).equals("-t") || before.get(i).equals("--table")) {
        table = before.get(i + 1);
      }
    }
    for (String w : before) {
      if (w.startsWith("--table=")) {
        table = w.substring("--table=".length());
      }
    }
    return table;
  }
}

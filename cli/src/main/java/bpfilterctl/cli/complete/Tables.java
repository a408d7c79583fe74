package bpfilterctl.cli.complete;

import java.util.Iterator;
import java.util.List;

/** The iptables tables and their built-in chains, as the kernel's ip_tables registers them. */
public final class Tables implements Iterable<String> {
  public static final List<String> NAMES = List.of("filter", "nat", "mangle", "raw", "security");

  /** The default table of an iptables command line without {@code -t}. */
  public static final String DEFAULT = "filter";

  public static List<String> builtinChains(String table) {
    return switch (table) {
      case "filter", "security" -> List.of("INPUT", "FORWARD", "OUTPUT");
      case "nat" -> List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");
      case "mangle" -> List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
      case "raw" -> List.of("PREROUTING", "OUTPUT");
      default -> List.of();
    };
  }

  /** For picocli's {@code completionCandidates}, so that bash and zsh scripts offer them too. */
  @Override
  public Iterator<String> iterator() {
    return NAMES.iterator();
  }
}

package bpfilterctl.cli.complete;

import java.util.List;

/**
 * The chain names of a table, for completion. The built-in one knows only the built-in chains; the
 * iptables front-end supplies one that reads the live table (user chains included) through the
 * session.
 */
@FunctionalInterface
public interface ChainSource {
  List<String> chains(String table);

  ChainSource BUILTIN = Tables::builtinChains;
}

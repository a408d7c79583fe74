package bpfilterctl.core.traffic;

import bpfilterctl.core.uapi.IptEntry;
import java.util.List;

/**
 * Prints a table's entries for people. The traffic views take one as a parameter: the iptables
 * front-end's save printer (iptables-save lines, every extension's options) where the entries read
 * as rules, {@link StructuralEntryRenderer} (names and sizes) where they do not.
 */
@FunctionalInterface
public interface EntryRenderer {
  /**
   * @param table the table's name
   * @param layout where the built-in chains are; {@link TableLayout#UNKNOWN} when the frame does
   *     not say
   * @param entries the entries, in blob order
   * @return one line each, no line breaks inside
   */
  List<String> render(String table, TableLayout layout, List<IptEntry> entries);
}

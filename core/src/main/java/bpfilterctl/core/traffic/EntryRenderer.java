package bpfilterctl.core.traffic;

import bpfilterctl.core.uapi.IptEntry;
import java.util.List;

/**
 * Prints a table's entries for people, as {@code iptables-save} would. The traffic views take one
 * as a parameter: {@link StructuralEntryRenderer} until the iptables front-end's printer, which
 * knows every extension's options, takes its place.
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

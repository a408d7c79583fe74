package bpfilterctl.core.umh.tables;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The live tables of one umh, by name. A table comes into being with its initial contents the first
 * time it is looked up, as in a fresh network namespace; a replace swaps it whole.
 */
final class LiveTables {
  private final TableTranslator translator;
  private final Map<String, Table> tables = new LinkedHashMap<>();

  LiveTables(TableTranslator translator) {
    this.translator = translator;
  }

  /** The table, created on first use; empty for a name ip_tables does not know (ENOENT). */
  Optional<Table> find(String name) {
    Table t = tables.get(name);
    if (t != null) {
      return Optional.of(t);
    }
    Optional<TableTemplate> template = TableTemplate.named(name);
    template.ifPresent(tt -> tables.put(name, tt.instantiate(translator)));
    return Optional.ofNullable(tables.get(name));
  }

  /** The tables that exist, newest first, as /proc/net/ip_tables_names lists them. */
  List<String> names() {
    List<String> names = new ArrayList<>(tables.keySet());
    Collections.reverse(names);
    return names;
  }

  void replace(Table table) {
    tables.put(table.name(), table);
  }
}

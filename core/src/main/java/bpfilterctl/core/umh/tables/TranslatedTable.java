package bpfilterctl.core.umh.tables;

import java.util.List;

/**
 * What translate_table leaves behind when a blob passes every check: the hook offsets it found, the
 * entries (comefrom marked, counters cleared) and each entry's resolved extensions.
 */
record TranslatedTable(int[] hookEntry, int[] underflow, byte[] entries, List<EntryLayout> layout) {
  TranslatedTable {
    layout = List.copyOf(layout);
  }

  int number() {
    return layout.size();
  }
}

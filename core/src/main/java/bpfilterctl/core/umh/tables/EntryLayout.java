package bpfilterctl.core.umh.tables;

import java.util.List;

/** One checked entry: its offset in the blob, its matches and its target, resolved. */
record EntryLayout(int offset, List<Placed> matches, Placed target) {
  EntryLayout {
    matches = List.copyOf(matches);
  }
}

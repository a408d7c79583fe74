package bpfilterctl.core.inspect;

import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.LocatedEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A table as GET_INFO and GET_ENTRIES return it, decoded: its info and its entries where they sit.
 * Answers the structural questions a listing needs (which hooks start or underflow at an entry,
 * which entry a jump lands on) without interpreting chains or rules.
 */
public record TableView(IptGetinfo info, List<LocatedEntry> entries) {
  public TableView {
    entries = List.copyOf(entries);
  }

  /** Decodes GET_ENTRIES' entries blob against the GET_INFO answer it was asked with. */
  public static TableView decode(IptGetinfo info, byte[] entriesBlob) {
    return new TableView(info, LocatedEntry.decodeAll(entriesBlob));
  }

  /** The hooks whose hook_entry is {@code offset}. */
  public List<String> hookEntriesAt(int offset) {
    return hooksAt(info.hookEntry(), offset);
  }

  /** The hooks whose underflow (the built-in chain's policy) is {@code offset}. */
  public List<String> underflowsAt(int offset) {
    return hooksAt(info.underflow(), offset);
  }

  /** The index of the entry at {@code offset}, if one starts there. */
  public OptionalInt indexAt(int offset) {
    for (LocatedEntry e : entries) {
      if (e.offset() == offset) {
        return OptionalInt.of(e.index());
      }
    }
    return OptionalInt.empty();
  }

  private List<String> hooksAt(int[] offsets, int offset) {
    List<String> out = new ArrayList<>();
    for (Hook h : Hook.values()) {
      if ((info.validHooks() & h.bit()) != 0 && offsets[h.ordinal()] == offset) {
        out.add(h.name());
      }
    }
    return out;
  }
}

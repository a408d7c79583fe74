package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A table as the umh accepted it: the entries blob (already through translate_table's checks), the
 * hook entry points and underflows (byte offsets) and valid_hooks. Entries are decoded with the abi
 * codecs; an entry is named by its index, which is also its counter slot.
 */
public final class FilterTable {
  private final List<IptEntry> entries;
  private final int[] offsets;
  private final Map<Integer, Integer> indexAt = new HashMap<>();
  private final int[] hookEntry;
  private final int[] underflow;
  private final int validHooks;

  public FilterTable(byte[] blob, int[] hookEntry, int[] underflow, int validHooks) {
    this.entries = IptEntries.decode(blob);
    this.offsets = IptEntries.offsets(entries);
    for (int i = 0; i < offsets.length; i++) {
      indexAt.put(offsets[i], i);
    }
    this.hookEntry = hookEntry.clone();
    this.underflow = underflow.clone();
    this.validHooks = validHooks;
  }

  /** The table as GET_INFO and GET_ENTRIES return it. */
  public static FilterTable of(IptGetinfo info, IptGetEntries got) {
    return new FilterTable(got.entries(), info.hookEntry(), info.underflow(), info.validHooks());
  }

  public int size() {
    return entries.size();
  }

  public IptEntry entry(int index) {
    return entries.get(index);
  }

  /** The entry starting at this byte offset (a jump target, hook entry or underflow). */
  public int indexAt(int offset) {
    Integer i = indexAt.get(offset);
    if (i == null) {
      throw new IllegalArgumentException("no entry starts at offset " + offset);
    }
    return i;
  }

  public int hookEntry(int hook) {
    return indexAt(hookEntry[hook]);
  }

  public int underflow(int hook) {
    return indexAt(underflow[hook]);
  }

  public boolean hasHook(int hook) {
    return (validHooks & (1 << hook)) != 0 && hook < Abi.NUM_HOOKS;
  }
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptReplace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where a table's built-in chains begin and end in its entries blob: what a printer needs besides
 * the entries to name the chains. ipt_replace and ipt_getinfo carry it; a GET_ENTRIES reply alone
 * does not ({@link #UNKNOWN}).
 *
 * @param validHooks the hooks the table has (bit {@link Hook#bit()})
 * @param hookEntry byte offset of each hook's first entry
 * @param underflow byte offset of each hook's policy entry
 */
public record TableLayout(int validHooks, int[] hookEntry, int[] underflow) {
  public static final TableLayout UNKNOWN =
      new TableLayout(0, new int[Abi.NUM_HOOKS], new int[Abi.NUM_HOOKS]);

  public TableLayout {
    hookEntry = hookEntry.clone();
    underflow = underflow.clone();
  }

  public static TableLayout of(IptReplace r) {
    return new TableLayout(r.validHooks(), r.hookEntry(), r.underflow());
  }

  public static TableLayout of(IptGetinfo i) {
    return new TableLayout(i.validHooks(), i.hookEntry(), i.underflow());
  }

  @Override
  public int[] hookEntry() {
    return hookEntry.clone();
  }

  @Override
  public int[] underflow() {
    return underflow.clone();
  }

  public boolean known() {
    return validHooks != 0;
  }

  /** The hooks the table has, in hook order. */
  public List<Hook> hooks() {
    List<Hook> out = new ArrayList<>();
    for (Hook h : Hook.values()) {
      if ((validHooks & h.bit()) != 0) {
        out.add(h);
      }
    }
    return out;
  }

  public int hookEntry(Hook h) {
    return hookEntry[h.ordinal()];
  }

  public int underflow(Hook h) {
    return underflow[h.ordinal()];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TableLayout t
        && validHooks == t.validHooks
        && Arrays.equals(hookEntry, t.hookEntry)
        && Arrays.equals(underflow, t.underflow);
  }

  @Override
  public int hashCode() {
    return validHooks * 31 + Arrays.hashCode(hookEntry);
  }

  @Override
  public String toString() {
    return "TableLayout[validHooks="
        + validHooks
        + ", hookEntry="
        + Arrays.toString(hookEntry)
        + ", underflow="
        + Arrays.toString(underflow)
        + "]";
  }
}

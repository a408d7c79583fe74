package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R3;
import static bpfilterctl.core.bpf.insn.Emitter.R4;
import static bpfilterctl.core.bpf.insn.Emitter.R5;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtRecentMtinfo;

/**
 * The bpf_for_each_map_elem callback with which a --set into a full recent table finds the entry
 * recent_entry_init evicts, and --reap the entry recent_entry_reap looks at: the head of the
 * table's LRU list, the entry least recently added or recorded into, which is the one with the
 * smallest {@link RecentTables#SEQ}. Its context, on the main frame's stack: u64 the smallest seq
 * so far, then u32 its key. Emitted once per program, as its last subprogram, when a --set of the
 * program uses it (an unreferenced one would be unreachable code to the verifier).
 */
final class RecentEviction {
  /** Context offsets. */
  static final int MIN_SEQ = 0;

  static final int MIN_KEY = 8;

  private final Emitter e;
  private final Label callback;
  private boolean used;

  RecentEviction(Emitter e) {
    this.e = e;
    this.callback = e.label("recent_oldest");
  }

  /** True when the table has a recent --set or --reap (a program may then need the callback). */
  boolean neededBy(FilterTable table) {
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      for (XtEntryMatch m : en.matches()) {
        if (m.name().equals("recent")
            && (Abi.wrap(m.data()).get(XtRecentMtinfo.OFF_CHECK_SET)
                    & (XtRecentMtinfo.SET | XtRecentMtinfo.REAP))
                != 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The callback's label; the program then ends with it. */
  Label use() {
    used = true;
    return callback;
  }

  /** (map, key, value, ctx): keeps the smaller seq and its key in ctx; goes on (returns 0). */
  void emitIfUsed() {
    if (!used) {
      return;
    }
    Label keep = e.label("recent_not_older");
    e.bind(callback);
    e.ldx(Insn.DW, R0, R3, RecentTables.SEQ);
    e.ldx(Insn.DW, R5, R4, MIN_SEQ);
    e.jmpReg(Insn.JGE, R0, R5, keep);
    e.stx(Insn.DW, R4, MIN_SEQ, R0);
    e.ldx(Insn.W, R0, R2, 0).stx(Insn.W, R4, MIN_KEY, R0);
    e.bind(keep);
    e.mov(R0, 0).exit();
  }
}

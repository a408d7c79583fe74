package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R3;
import static bpfilterctl.core.bpf.insn.Emitter.R4;
import static bpfilterctl.core.bpf.insn.Emitter.R5;
import static bpfilterctl.core.bpf.insn.Emitter.R6;
import static bpfilterctl.core.bpf.insn.Emitter.R7;
import static bpfilterctl.core.bpf.insn.Emitter.R8;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.uapi.XtRecentMtinfo;
import java.nio.ByteBuffer;

/**
 * xt_recent's recent_mt (6.18) on the table's map (see {@link RecentTables}). The address
 * (--rsource or --rdest) masked with the table's mask is the key. Found (with --rttl: only with the
 * same ttl, or where either is 0): --set records now in the ring, --remove deletes the entry,
 * --rcheck and --update count the stamps within --seconds (all of them without) among the entry's
 * nstamps and match when there are at least max(--hitcount, 1); --reap then removes the table's
 * least recently recorded entry if its newest stamp is out of the window; --update records now when
 * the result, inversion included, is true. Not found: --set inserts the entry (zeros, then the
 * stamp, as recent_entry_init's first stamp is recent_entry_update's on an empty entry; into a full
 * table after evicting its least recently recorded entry) and matches; the others do not. {@code !}
 * inverts the result. The ring is read and written under the entry's bpf_spin_lock (the kernel
 * holds its recent_lock over all of recent_mt); the scan is unrolled and branch-free.
 *
 * <p>The shared lookup-key area (24 bytes from r9, no stack of the chain frames): the key at 0, the
 * zero value's key at 4, the eviction callback's context at 8 (u64 seq, u32 key), and the record's
 * place in the LRU order (a u64 ktime) at 16, taken again after the context overwrote it.
 */
final class RecentMatch {
  private static final int MAP_LOOKUP_ELEM = 1;
  private static final int MAP_UPDATE_ELEM = 2;
  private static final int MAP_DELETE_ELEM = 3;
  private static final int SPIN_LOCK = 93;
  private static final int SPIN_UNLOCK = 94;
  private static final int JIFFIES64 = 118;
  private static final int BPF_NOEXIST = 1;
  private static final int KTIME_GET_NS = 5;
  private static final int FOR_EACH_MAP_ELEM = 164;
  private static final int E2BIG = 7;
  private static final int LOCAL_IN = 1;

  private static final int KEY = PacketSummary.LOOKUP_KEY;

  private RecentMatch() {}

  static void emit(EntryTests t, ByteBuffer d) throws Refusal {
    Emitter e = t.emitter();
    RecentTables tables = t.context().recent();
    int ti = tables.indexOf(RecentTables.name(d));
    RecentTables.Table table = tables.table(ti);
    int map = RecentTables.MAP_BASE + ti;
    long seconds = Integer.toUnsignedLong(d.getInt(XtRecentMtinfo.OFF_SECONDS));
    long hitCount = Integer.toUnsignedLong(d.getInt(XtRecentMtinfo.OFF_HIT_COUNT));
    int set = d.get(XtRecentMtinfo.OFF_CHECK_SET) & 0xff;
    boolean invert = d.get(XtRecentMtinfo.OFF_INVERT) != 0;
    boolean dest = d.get(XtRecentMtinfo.OFF_SIDE) == XtRecentMtinfo.DEST;
    if (t.context().hook() != LOCAL_IN && t.context().kernel().owner().isEmpty()) {
      throw new Refusal("recent: this kernel's BTF lacks sk_buff.sk or sock_common.skc_net");
    }
    t.beforeCalls();

    e.ldx(Insn.W, R1, R9, dest ? PacketSummary.DADDR : PacketSummary.SADDR);
    if (table.mask() != -1) {
      e.alu32(Insn.AND, R1, Integer.reverseBytes(table.mask()));
    }
    e.stx(Insn.W, R9, KEY, R1);
    if ((set & XtRecentMtinfo.REMOVE) == 0) {
      e.callHelper(JIFFIES64).movReg(R7, R0); // r7 = jiffies
    }
    boolean records = (set & (XtRecentMtinfo.SET | XtRecentMtinfo.UPDATE)) != 0;
    if (records) {
      stampOrder(e);
    }
    lookup(e, map);
    Label found = e.label("recent_found");
    Label done = e.label("recent_done");
    t.innerBranch();
    e.jmp(Insn.JNE, R0, 0, found);
    if ((set & XtRecentMtinfo.SET) == 0) {
      e.mov(R8, 0).ja(done);
    } else {
      insert(t, map);
      t.innerBranch();
      e.jmp(Insn.JEQ, R0, 0, done);
    }
    e.bind(found);
    e.movReg(R6, R0);
    if ((set & XtRecentMtinfo.REMOVE) != 0) {
      e.ldMapIdx(R1, map);
      e.movReg(R2, R9).alu(Insn.ADD, R2, KEY);
      e.callHelper(MAP_DELETE_ELEM);
      e.mov(R8, 1);
    } else {
      e.movReg(R1, R6).callHelper(SPIN_LOCK);
      if ((set & XtRecentMtinfo.TTL) != 0) {
        ttlMatches(t, done);
      }
      if ((set & XtRecentMtinfo.SET) != 0) {
        e.mov(R8, 1);
        record(t, table);
      } else if ((set & XtRecentMtinfo.REAP) != 0) {
        count(e, table, seconds, t.context().kernel().hz(), Math.max(hitCount, 1));
        e.movReg(R1, R6).callHelper(SPIN_UNLOCK);
        boolean update = (set & XtRecentMtinfo.UPDATE) != 0;
        reap(t, map, table, (seconds * t.context().kernel().hz()) & 0xffffffffL, update, invert);
        if (update) {
          Label skip = e.label("recent_no_update");
          t.innerBranch();
          e.jmp(Insn.JEQ, R8, invert ? 1 : 0, skip);
          stampOrder(e); // the reap's context took its slot
          e.movReg(R1, R6).callHelper(SPIN_LOCK);
          record(t, table);
          e.movReg(R1, R6).callHelper(SPIN_UNLOCK);
          e.bind(skip);
        }
      } else {
        count(e, table, seconds, t.context().kernel().hz(), Math.max(hitCount, 1));
        if ((set & XtRecentMtinfo.UPDATE) != 0) {
          Label skip = e.label("recent_no_update");
          t.innerBranch();
          e.jmp(Insn.JEQ, R8, invert ? 1 : 0, skip); // ret (inversion included) is false
          record(t, table);
          e.bind(skip);
        }
      }
      if ((set & XtRecentMtinfo.REAP) == 0) {
        e.movReg(R1, R6).callHelper(SPIN_UNLOCK);
      }
    }
    e.bind(done);
    e.jmp(Insn.JEQ, R8, invert ? 1 : 0, t.failBranch());
  }

  /**
   * recent_entry_init: inserts the key from the zero value (NOEXIST: an entry another CPU just made
   * stays); into a full table after deleting its least recently recorded entry, as the kernel
   * evicts the head of its LRU list. Then r0 is the entry (the stamp is recorded as on a found one)
   * or NULL (r8 = 1: a match that records nothing).
   */
  private static void insert(EntryTests t, int map) {
    Emitter e = t.emitter();
    Label lookUp = e.label("recent_inserted");
    e.mov(R8, 1);
    e.st(Insn.W, R9, KEY + 4, 0);
    e.ldMapIdx(R1, RecentTables.ZERO_INDEX);
    e.movReg(R2, R9).alu(Insn.ADD, R2, KEY + 4);
    e.callHelper(MAP_LOOKUP_ELEM);
    t.innerBranch();
    e.jmp(Insn.JEQ, R0, 0, lookUp);
    e.movReg(R6, R0); // the zero value
    update(e, map);
    t.innerBranch();
    e.jmp(Insn.JNE, R0, -E2BIG, lookUp);
    // full: delete the oldest (smallest seq), insert again
    oldest(t, map);
    e.ldMapIdx(R1, map);
    e.movReg(R2, R9).alu(Insn.ADD, R2, KEY + 8 + RecentEviction.MIN_KEY);
    e.callHelper(MAP_DELETE_ELEM);
    update(e, map);
    stampOrder(e); // the context took its slot
    e.bind(lookUp);
    lookup(e, map);
  }

  /**
   * recent_entry_reap (6.18): the head of the LRU list (the entry with the smallest seq) is removed
   * when its last stamp is older than jiffies - {@code window}, unless it is this packet's entry
   * and --update is about to record into it (ret, in r8 before inversion, true).
   */
  private static void reap(
      EntryTests t, int map, RecentTables.Table table, long window, boolean update, boolean inv) {
    Emitter e = t.emitter();
    Label keep = e.label("recent_no_reap");
    Label remove = e.label("recent_reap");
    oldest(t, map);
    if (update) {
      t.innerBranch();
      e.jmp(Insn.JEQ, R8, inv ? 1 : 0, remove); // ret false: the working entry may go too
      e.ldx(Insn.W, R1, R9, KEY + 8 + RecentEviction.MIN_KEY);
      e.ldx(Insn.W, R2, R9, KEY);
      t.innerBranch();
      e.jmpReg(Insn.JEQ, R1, R2, keep);
    }
    e.bind(remove);
    e.ldMapIdx(R1, map);
    e.movReg(R2, R9).alu(Insn.ADD, R2, KEY + 8 + RecentEviction.MIN_KEY);
    e.callHelper(MAP_LOOKUP_ELEM);
    t.innerBranch();
    e.jmp(Insn.JEQ, R0, 0, keep);
    // e->stamps[e->index - 1] (index is 1 to ring: the mask only bounds it for the verifier)
    e.ldx(Insn.W, R1, R0, RecentTables.INDEX).alu(Insn.ADD, R1, -1);
    e.alu(Insn.AND, R1, table.ring() - 1).alu(Insn.LSH, R1, 3).aluReg(Insn.ADD, R1, R0);
    e.ldx(Insn.DW, R1, R1, RecentTables.VALUE_HEAD);
    e.movReg(R2, R7).ldImm64(R3, window).aluReg(Insn.SUB, R2, R3); // time
    e.aluReg(Insn.SUB, R1, R2).alu(Insn.RSH, R1, 63); // time_after(time, stamp): stamp - time < 0
    t.innerBranch();
    e.jmp(Insn.JEQ, R1, 0, keep);
    e.ldMapIdx(R1, map);
    e.movReg(R2, R9).alu(Insn.ADD, R2, KEY + 8 + RecentEviction.MIN_KEY);
    e.callHelper(MAP_DELETE_ELEM);
    e.bind(keep);
  }

  /** The table's least recently recorded key, at the context's MIN_KEY (bpf_for_each_map_elem). */
  private static void oldest(EntryTests t, int map) {
    Emitter e = t.emitter();
    int ctx = KEY + 8;
    e.st(Insn.DW, R9, ctx + RecentEviction.MIN_SEQ, -1);
    e.st(Insn.W, R9, ctx + RecentEviction.MIN_KEY, 0);
    e.ldMapIdx(R1, map);
    e.ldFunc(R2, t.context().eviction().use());
    e.movReg(R3, R9).alu(Insn.ADD, R3, ctx);
    e.mov(R4, 0);
    e.callHelper(FOR_EACH_MAP_ELEM);
  }

  /** bpf_map_update_elem(map, key, r6, BPF_NOEXIST). */
  private static void update(Emitter e, int map) {
    e.ldMapIdx(R1, map);
    e.movReg(R2, R9).alu(Insn.ADD, R2, KEY);
    e.movReg(R3, R6);
    e.mov(R4, BPF_NOEXIST);
    e.callHelper(MAP_UPDATE_ELEM);
  }

  /** The record's place in the LRU order, bpf_ktime_get_ns(), at the lookup-key area + 16. */
  private static void stampOrder(Emitter e) {
    e.callHelper(KTIME_GET_NS).stx(Insn.DW, R9, KEY + 16, R0);
  }

  /**
   * --rttl, under the lock: recent_entry_lookup finds the entry only when the packet's ttl, the
   * entry's or both are 0, or they are equal; else the lock is released and the match is false.
   */
  private static void ttlMatches(EntryTests t, Label done) {
    Emitter e = t.emitter();
    Label found = e.label("recent_ttl_found");
    ttl(t);
    e.ldx(Insn.W, R2, R6, RecentTables.TTL);
    t.innerBranch();
    e.jmp(Insn.JEQ, R1, 0, found);
    t.innerBranch();
    e.jmp(Insn.JEQ, R2, 0, found);
    t.innerBranch();
    e.jmpReg(Insn.JEQ, R1, R2, found);
    e.movReg(R1, R6).callHelper(SPIN_UNLOCK);
    e.mov(R8, 0).ja(done);
    e.bind(found);
  }

  /**
   * r1 = the ttl recent_mt uses (u8): the header's, plus one at a hook with an output device when
   * the packet has no socket or one of another namespace ("as seen before forwarding"). Plain loads
   * only (it runs under the entry's lock); r1-r4 are clobbered.
   */
  private static void ttl(EntryTests t) {
    Emitter e = t.emitter();
    e.ldx(Insn.W, R1, R9, t.summary(PacketSummary.TTL));
    if (t.context().hook() == LOCAL_IN) {
      return;
    }
    OwnerLayout o = t.context().kernel().owner().orElseThrow();
    Label plus = e.label("recent_ttl_plus");
    Label same = e.label("recent_ttl_same");
    e.ldx(Insn.DW, R2, R9, t.summary(PacketSummary.SKB));
    e.ldx(Insn.DW, R2, R2, o.skbSk());
    t.innerBranch();
    e.jmp(Insn.JEQ, R2, 0, plus);
    e.ldx(Insn.DW, R3, R2, o.skNet());
    e.ldx(Insn.DW, R4, R9, t.summary(PacketSummary.STATE));
    e.ldx(Insn.DW, R4, R4, o.stateNet());
    t.innerBranch();
    e.jmpReg(Insn.JEQ, R3, R4, same);
    e.bind(plus);
    e.alu(Insn.ADD, R1, 1).alu(Insn.AND, R1, 0xff);
    e.bind(same);
  }

  /** r0 = the entry of the key at the lookup-key area in table map {@code map}. */
  private static void lookup(Emitter e, int map) {
    e.ldMapIdx(R1, map);
    e.movReg(R2, R9).alu(Insn.ADD, R2, KEY);
    e.callHelper(MAP_LOOKUP_ELEM);
  }

  /**
   * recent_entry_update on the entry at r6 with now in r7: index &= mask, stamps[index++] = now,
   * nstamps = max(nstamps, index); and list_move_tail: seq = the ktime taken before the lookup; and
   * recent_mt's e->ttl = ttl.
   */
  private static void record(EntryTests t, RecentTables.Table table) {
    Emitter e = t.emitter();
    e.ldx(Insn.DW, R1, R9, KEY + 16).stx(Insn.DW, R6, RecentTables.SEQ, R1);
    e.ldx(Insn.W, R1, R6, RecentTables.INDEX);
    e.alu(Insn.AND, R1, table.ring() - 1);
    e.movReg(R2, R1).alu(Insn.LSH, R2, 3).aluReg(Insn.ADD, R2, R6);
    e.stx(Insn.DW, R2, RecentTables.VALUE_HEAD, R7);
    e.alu(Insn.ADD, R1, 1);
    e.stx(Insn.W, R6, RecentTables.INDEX, R1);
    e.ldx(Insn.W, R2, R6, RecentTables.NSTAMPS);
    Label keep = e.label("recent_nstamps");
    t.innerBranch();
    e.jmpReg(Insn.JLE, R1, R2, keep);
    e.stx(Insn.W, R6, RecentTables.NSTAMPS, R1);
    e.bind(keep);
    ttl(t); // e->ttl = ttl
    e.stx(Insn.W, R6, RecentTables.TTL, R1);
  }

  /**
   * r8 = 1 when at least {@code need} of the entry's first nstamps stamps are recent: not
   * time_after(jiffies - seconds * HZ, stamp), the product in unsigned int as the kernel's.
   */
  private static void count(Emitter e, RecentTables.Table table, long seconds, int hz, long need) {
    long window = (seconds * hz) & 0xffffffffL;
    e.ldx(Insn.W, R3, R6, RecentTables.NSTAMPS);
    e.mov(R2, 0);
    if (seconds != 0) {
      e.movReg(R4, R7);
      e.ldImm64(R5, window).aluReg(Insn.SUB, R4, R5); // r4 = time
    }
    for (int i = 0; i < table.ring(); i++) {
      e.mov(R5, i).aluReg(Insn.SUB, R5, R3).alu(Insn.RSH, R5, 63); // i < nstamps
      if (seconds != 0) {
        e.ldx(Insn.DW, R1, R6, RecentTables.VALUE_HEAD + 8 * i);
        e.aluReg(Insn.SUB, R1, R4).alu(Insn.RSH, R1, 63).alu(Insn.XOR, R1, 1); // not too old
        e.aluReg(Insn.AND, R5, R1);
      }
      e.aluReg(Insn.ADD, R2, R5);
    }
    // r8 = r2 >= need: (need - 1 - r2) is negative
    e.ldImm64(R8, need - 1).aluReg(Insn.SUB, R8, R2).alu(Insn.RSH, R8, 63);
  }
}

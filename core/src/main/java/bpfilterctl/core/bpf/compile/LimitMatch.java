package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R6;
import static bpfilterctl.core.bpf.insn.Emitter.R7;
import static bpfilterctl.core.bpf.insn.Emitter.R8;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;

/**
 * xt_limit's limit_mt on the rule's bucket (see {@link LimitBuckets}): credit grows by
 * CREDITS_PER_JIFFY per jiffy since prev, in u32 arithmetic (a long idle time wraps as in the
 * kernel), is capped at credit_cap, and the packet matches when cost can be paid.
 *
 * <p>The kernel (6.18) updates prev with xchg and credit with a cmpxchg retry loop; the verifier
 * cannot bound such a loop, so the update runs under the bucket's bpf_spin_lock instead: every
 * update is then one indivisible step, which is what the kernel's loop achieves (each jiffy is
 * credited once, each packet pays from the credit its successful cmpxchg saw). The kernel's fast
 * path (no credit for one packet and no jiffy elapsed: no match, nothing written) is kept.
 */
final class LimitMatch {
  private static final int MAP_LOOKUP_ELEM = 1;
  private static final int SPIN_LOCK = 93;
  private static final int SPIN_UNLOCK = 94;
  private static final int JIFFIES64 = 118;

  private LimitMatch() {}

  static void emit(EntryTests t) {
    Emitter e = t.emitter();
    t.beforeCalls();
    int slot = t.nextLimitSlot();
    LimitBuckets.Rate r = t.context().limits().rate(slot);
    int cap = (int) r.cap();
    int cost = (int) r.cost();
    long cpj = LimitBuckets.creditsPerJiffy(t.context().limits().hz());
    e.callHelper(JIFFIES64).movReg(R7, R0); // r7 = now
    e.st(Insn.W, R10, PacketSummary.KEY, slot);
    e.ldMapIdx(R1, LimitBuckets.MAP_INDEX);
    e.movReg(R2, R10).alu(Insn.ADD, R2, PacketSummary.KEY);
    e.callHelper(MAP_LOOKUP_ELEM);
    e.jmp(Insn.JEQ, R0, 0, t.failBranch());
    e.movReg(R6, R0);

    Label update = e.label("limit_update");
    Label capped = e.label("limit_capped");
    Label store = e.label("limit_store");
    e.ldx(Insn.W, R1, R6, LimitBuckets.CREDIT);
    t.innerBranch();
    e.jmp32(Insn.JGE, R1, cost, update);
    e.ldx(Insn.DW, R1, R6, LimitBuckets.PREV);
    e.jmpReg(Insn.JEQ, R1, R7, t.failBranch());

    e.bind(update);
    e.movReg(R1, R6).callHelper(SPIN_LOCK);
    e.ldx(Insn.DW, R1, R6, LimitBuckets.PREV);
    e.stx(Insn.DW, R6, LimitBuckets.PREV, R7);
    e.aluReg(Insn.SUB, R7, R1);
    e.alu(Insn.LSH, R7, Long.numberOfTrailingZeros(cpj)); // a power of two
    e.ldx(Insn.W, R1, R6, LimitBuckets.CREDIT);
    e.emit(new Insn(Insn.ALU | Insn.ADD | Insn.X, R7, R1, 0, 0)); // u32: wraps as the kernel's
    t.innerBranch();
    e.jmp32(Insn.JLE, R7, cap, capped);
    e.emit(new Insn(Insn.ALU | Insn.MOV | Insn.K, R7, 0, 0, cap));
    e.bind(capped);
    e.mov(R8, 1); // no match
    t.innerBranch();
    e.jmp32(Insn.JLT, R7, cost, store);
    e.emit(new Insn(Insn.ALU | Insn.SUB | Insn.K, R7, 0, 0, cost));
    e.mov(R8, 0);
    e.bind(store);
    e.stx(Insn.W, R6, LimitBuckets.CREDIT, R7);
    e.movReg(R1, R6).callHelper(SPIN_UNLOCK);
    e.jmp(Insn.JNE, R8, 0, t.failBranch());
  }
}

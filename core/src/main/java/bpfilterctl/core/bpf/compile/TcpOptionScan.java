package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
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
import bpfilterctl.core.uapi.XtTcp;

/**
 * tcp --tcp-option: tcp_mt hotdrops when doff * 4 is under 20 or the options cannot all be read,
 * else tcp_find_option walks them (a kind below 2 is one byte; any other advances by its length
 * byte, or by 1 when that is 0) and the match holds when it meets the kind (xor the inversion).
 *
 * <p>A hook that reaches such a test gets, after the prologue, one walk of the packet's options
 * that sets a bit per kind met in a 256-bit set in the summary; each rule then tests one bit. The
 * walk is unrolled (at most 40 steps: each advances at least one of the 40 option bytes) and leaves
 * only to its end, where the verifier's states meet; it writes nothing else the rules read.
 */
final class TcpOptionScan {
  private static final int HELPER_DYNPTR_READ = 201;
  private static final int MAX_OPTION_BYTES = 40;
  private static final int BUF_SIZE = 64;

  private TcpOptionScan() {}

  /** The option test of a tcp match, after its ports and flags. */
  static void test(EntryTests t, XtTcp x) {
    if (x.option() == 0) {
      return;
    }
    t.load(PacketSummary.OPT_HOTDROP);
    t.hotdropIf(R1);
    Emitter e = t.e;
    e.ldx(Insn.B, R1, R9, t.summary(PacketSummary.OPT_BITS + x.option() / 8));
    e.alu(Insn.RSH, R1, x.option() % 8).alu(Insn.AND, R1, 1);
    if ((x.inv() & XtTcp.INV_OPTION) == 0) {
      e.alu(Insn.XOR, R1, 1); // fails when the kind was not met
    }
    t.fail(R1);
  }

  /**
   * The walk, right after the prologue of a hook that reaches an option test (SummaryReads): the
   * bit set starts at zero, the hotdrop flag is always written.
   */
  static void emit(Emitter e) {
    Label done = e.label("options_done");
    for (int off = 0; off < 32; off += 8) {
      e.st(Insn.DW, R9, PacketSummary.OPT_BITS + off, 0);
    }
    // r1 = doff * 4; hotdrop = ((doff * 4 - 20) | (len - thoff - doff * 4)) < 0
    e.ldx(Insn.W, R1, R9, PacketSummary.TCPHDR12).alu(Insn.RSH, R1, 4).alu(Insn.AND, R1, 0xf);
    e.alu(Insn.LSH, R1, 2);
    e.movReg(R2, R1).alu(Insn.ADD, R2, -20);
    e.ldx(Insn.W, R3, R9, PacketSummary.LEN).ldx(Insn.W, R4, R9, PacketSummary.THOFF);
    e.aluReg(Insn.SUB, R3, R4).aluReg(Insn.SUB, R3, R1);
    e.aluReg(Insn.OR, R2, R3).alu(Insn.RSH, R2, 63).stx(Insn.W, R9, PacketSummary.OPT_HOTDROP, R2);
    // r7 = the options' length, doff * 4 - 20 when doff >= 5 (the mask bounds it for the verifier)
    e.movReg(R7, R1).alu(Insn.ADD, R7, -20).alu(Insn.AND, R7, 0x3c);
    // only a readable TCP header (L4P exactly TCP, status usable) has options; r1 is an unlinked
    // copy, so the verifier learns nothing about the slot
    e.ldx(Insn.W, R1, R9, PacketSummary.L4P).alu(Insn.XOR, R1, EntryTests.IPPROTO_TCP);
    e.jmp(Insn.JNE, R1, 0, done);
    for (int off = 0; off < BUF_SIZE; off += 8) {
      e.st(Insn.DW, R10, PacketSummary.OPT_BUF + off, 0);
    }
    // bpf_dynptr_read(buf, optlen, &dynptr, thoff + 20, 0): a failure is a hotdrop already
    e.movReg(R1, R10).alu(Insn.ADD, R1, PacketSummary.OPT_BUF).movReg(R2, R7);
    e.movReg(R3, R10).alu(Insn.ADD, R3, PacketSummary.DYNPTR);
    e.ldx(Insn.W, R4, R9, PacketSummary.THOFF).alu(Insn.ADD, R4, 20).mov(R5, 0);
    e.callHelper(HELPER_DYNPTR_READ);
    e.mov(R6, 0).movReg(R8, R10).alu(Insn.ADD, R8, PacketSummary.OPT_BUF);
    for (int step = 0; step < MAX_OPTION_BYTES; step++) {
      e.jmpReg(Insn.JGE, R6, R7, done);
      // r3 = op[i], r4 = op[i + 1] (the masks keep both within the buffer)
      e.movReg(R1, R6).alu(Insn.AND, R1, BUF_SIZE - 1).aluReg(Insn.ADD, R1, R8);
      e.ldx(Insn.B, R3, R1, 0);
      e.movReg(R1, R6).alu(Insn.ADD, R1, 1).alu(Insn.AND, R1, BUF_SIZE - 1);
      e.aluReg(Insn.ADD, R1, R8).ldx(Insn.B, R4, R1, 0);
      // bits[op[i] / 8] |= 1 << (op[i] % 8)
      e.movReg(R1, R3).alu(Insn.RSH, R1, 3).movReg(R2, R9).aluReg(Insn.ADD, R2, R1);
      e.ldx(Insn.B, R0, R2, PacketSummary.OPT_BITS);
      e.movReg(R1, R3).alu(Insn.AND, R1, 7).mov(R5, 1).aluReg(Insn.LSH, R5, R1);
      e.aluReg(Insn.OR, R0, R5).stx(Insn.B, R2, PacketSummary.OPT_BITS, R0);
      // i += op[i] < 2 ? 1 : (op[i + 1] ?: 1), without branches
      e.movReg(R1, R4).alu(Insn.ADD, R1, -1).alu(Insn.RSH, R1, 63).aluReg(Insn.OR, R4, R1);
      e.movReg(R1, R3).alu(Insn.ADD, R1, -2).alu(Insn.RSH, R1, 63);
      e.movReg(R2, R1).alu(Insn.ADD, R2, -1).aluReg(Insn.AND, R4, R2).aluReg(Insn.OR, R4, R1);
      e.aluReg(Insn.ADD, R6, R4);
    }
    e.bind(done);
  }
}

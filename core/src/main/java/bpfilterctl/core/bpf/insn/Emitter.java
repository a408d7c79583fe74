package bpfilterctl.core.bpf.insn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds a program instruction by instruction. Jumps and calls name a {@link Label}; {@link
 * #finish()} resolves them. A conditional jump must land within a signed 16-bit distance (the
 * compiler keeps them local); an unconditional jump beyond that becomes the 32-bit {@code gotol}.
 */
public final class Emitter {
  public static final int R0 = 0;
  public static final int R1 = 1;
  public static final int R2 = 2;
  public static final int R3 = 3;
  public static final int R4 = 4;
  public static final int R5 = 5;
  public static final int R6 = 6;
  public static final int R7 = 7;
  public static final int R8 = 8;
  public static final int R9 = 9;
  public static final int R10 = 10;

  private record Fixup(int pc, Label target, boolean call) {}

  private final List<Insn> insns = new ArrayList<>();
  private final List<Fixup> fixups = new ArrayList<>();
  private int labels;

  public Label label(String name) {
    return new Label(name + "#" + labels++);
  }

  public void bind(Label l) {
    if (l.pc >= 0) {
      throw new IllegalStateException("label bound twice: " + l);
    }
    l.pc = insns.size();
  }

  /** Binds {@code l} where {@code existing} is (both must end up bound before finish). */
  public void alias(Label l, Label existing) {
    if (!existing.isBound()) {
      throw new IllegalStateException("alias of an unbound label " + existing);
    }
    if (l.pc >= 0) {
      throw new IllegalStateException("label bound twice: " + l);
    }
    l.pc = existing.pc;
  }

  public int pc() {
    return insns.size();
  }

  public Emitter emit(Insn i) {
    insns.add(i);
    return this;
  }

  // moves and arithmetic (64-bit unless named 32)
  public Emitter mov(int dst, int imm) {
    return emit(new Insn(Insn.ALU64 | Insn.MOV | Insn.K, dst, 0, 0, imm));
  }

  public Emitter movReg(int dst, int src) {
    return emit(new Insn(Insn.ALU64 | Insn.MOV | Insn.X, dst, src, 0, 0));
  }

  public Emitter alu(int op, int dst, int imm) {
    return emit(new Insn(Insn.ALU64 | op | Insn.K, dst, 0, 0, imm));
  }

  public Emitter alu32(int op, int dst, int imm) {
    return emit(new Insn(Insn.ALU | op | Insn.K, dst, 0, 0, imm));
  }

  public Emitter aluReg(int op, int dst, int src) {
    return emit(new Insn(Insn.ALU64 | op | Insn.X, dst, src, 0, 0));
  }

  /** Big-endian conversion of the low {@code bits} (16, 32, 64): a byte swap on this host. */
  public Emitter toBe(int dst, int bits) {
    return emit(new Insn(Insn.ALU | Insn.END | Insn.TO_BE, dst, 0, 0, bits));
  }

  /** A 64-bit constant (ld_imm64, two instruction slots). */
  public Emitter ldImm64(int dst, long value) {
    emit(new Insn(Insn.LD | Insn.DW | Insn.IMM, dst, 0, 0, (int) value));
    return emit(new Insn(0, 0, 0, 0, (int) (value >>> 32)));
  }

  /** A map's address from its fd (BPF_PSEUDO_MAP_FD, two slots). */
  public Emitter ldMapFd(int dst, int mapFd) {
    emit(new Insn(Insn.LD | Insn.DW | Insn.IMM, dst, Insn.PSEUDO_MAP_FD, 0, mapFd));
    return emit(new Insn(0, 0, 0, 0, 0));
  }

  /**
   * The address of byte {@code offset} of an array map's value 0, from the map's fd
   * (BPF_PSEUDO_MAP_VALUE, two slots): a map value pointer that is never NULL.
   */
  public Emitter ldMapValue(int dst, int mapFd, int offset) {
    emit(new Insn(Insn.LD | Insn.DW | Insn.IMM, dst, Insn.PSEUDO_MAP_VALUE, 0, mapFd));
    return emit(new Insn(0, 0, 0, 0, offset));
  }

  /** The address of map {@code index} of the program's fd_array (BPF_PSEUDO_MAP_IDX, two slots). */
  public Emitter ldMapIdx(int dst, int index) {
    emit(new Insn(Insn.LD | Insn.DW | Insn.IMM, dst, Insn.PSEUDO_MAP_IDX, 0, index));
    return emit(new Insn(0, 0, 0, 0, 0));
  }

  /** The address of the subprogram at {@code fn}, for a helper's callback (BPF_PSEUDO_FUNC). */
  public Emitter ldFunc(int dst, Label fn) {
    fixups.add(new Fixup(insns.size(), fn, true));
    emit(new Insn(Insn.LD | Insn.DW | Insn.IMM, dst, Insn.PSEUDO_FUNC, 0, 0));
    return emit(new Insn(0, 0, 0, 0, 0));
  }

  // memory
  public Emitter ldx(int size, int dst, int src, int off) {
    return emit(new Insn(Insn.LDX | size | Insn.MEM, dst, src, off, 0));
  }

  public Emitter stx(int size, int dst, int off, int src) {
    return emit(new Insn(Insn.STX | size | Insn.MEM, dst, src, off, 0));
  }

  public Emitter st(int size, int dst, int off, int imm) {
    return emit(new Insn(Insn.ST | size | Insn.MEM, dst, 0, off, imm));
  }

  // control
  /** A conditional jump on the 64-bit register against a sign-extended immediate. */
  public Emitter jmp(int op, int dst, int imm, Label to) {
    return jump(new Insn(Insn.JMP | op | Insn.K, dst, 0, 0, imm), to);
  }

  /** A conditional jump on the low 32 bits (the immediate is taken as 32 bits, no extension). */
  public Emitter jmp32(int op, int dst, int imm, Label to) {
    return jump(new Insn(Insn.JMP32 | op | Insn.K, dst, 0, 0, imm), to);
  }

  public Emitter jmpReg(int op, int dst, int src, Label to) {
    return jump(new Insn(Insn.JMP | op | Insn.X, dst, src, 0, 0), to);
  }

  public Emitter ja(Label to) {
    return jump(new Insn(Insn.JMP | Insn.JA, 0, 0, 0, 0), to);
  }

  private Emitter jump(Insn i, Label to) {
    fixups.add(new Fixup(insns.size(), to, false));
    return emit(i);
  }

  public Emitter callHelper(int helper) {
    return emit(new Insn(Insn.JMP | Insn.CALL, 0, 0, 0, helper));
  }

  public Emitter callKfunc(int btfId) {
    return emit(new Insn(Insn.JMP | Insn.CALL, 0, Insn.PSEUDO_KFUNC_CALL, 0, btfId));
  }

  /** A BPF-to-BPF call to the subprogram starting at {@code fn}. */
  public Emitter call(Label fn) {
    fixups.add(new Fixup(insns.size(), fn, true));
    return emit(new Insn(Insn.JMP | Insn.CALL, 0, Insn.PSEUDO_CALL, 0, 0));
  }

  public Emitter exit() {
    return emit(new Insn(Insn.JMP | Insn.EXIT, 0, 0, 0, 0));
  }

  /** Resolves every jump and call; the result is the program's struct bpf_insn array. */
  public List<Insn> finish() {
    for (Fixup f : fixups) {
      if (!f.target.isBound()) {
        throw new IllegalStateException("unbound label " + f.target);
      }
      int delta = f.target.pc - (f.pc + 1);
      Insn i = insns.get(f.pc);
      if (f.call) {
        insns.set(f.pc, i.withImm(delta));
      } else if (delta >= Short.MIN_VALUE && delta <= Short.MAX_VALUE) {
        insns.set(f.pc, i.withOff(delta));
      } else if (i.code() == (Insn.JMP | Insn.JA)) {
        // gotol: BPF_JMP32 | BPF_JA with the distance in imm
        insns.set(f.pc, new Insn(Insn.JMP32 | Insn.JA, 0, 0, 0, delta));
      } else {
        throw new IllegalStateException("conditional jump too far: " + delta + " to " + f.target);
      }
    }
    fixups.clear();
    return List.copyOf(insns);
  }

  public static byte[] encode(List<Insn> program) {
    ByteBuffer b = ByteBuffer.allocate(program.size() * Insn.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < program.size(); i++) {
      program.get(i).encode(b, i * Insn.SIZE);
    }
    return b.array();
  }
}

package bpfilterctl.core.bpf.insn;

import java.nio.ByteBuffer;

/**
 * One struct bpf_insn: opcode, dst and src registers (4 bits each), a signed 16-bit offset and a
 * signed 32-bit immediate. The opcode constants are the uapi's (linux/bpf.h, bpf_common.h).
 */
public record Insn(int code, int dst, int src, int off, int imm) {
  public static final int SIZE = 8;

  // classes
  public static final int LD = 0x00;
  public static final int LDX = 0x01;
  public static final int ST = 0x02;
  public static final int STX = 0x03;
  public static final int ALU = 0x04;
  public static final int JMP = 0x05;
  public static final int JMP32 = 0x06;
  public static final int ALU64 = 0x07;

  // sizes and modes
  public static final int W = 0x00;
  public static final int H = 0x08;
  public static final int B = 0x10;
  public static final int DW = 0x18;
  public static final int IMM = 0x00;
  public static final int MEM = 0x60;

  // ALU operations and sources
  public static final int ADD = 0x00;
  public static final int SUB = 0x10;
  public static final int OR = 0x40;
  public static final int AND = 0x50;
  public static final int LSH = 0x60;
  public static final int RSH = 0x70;
  public static final int XOR = 0xa0;
  public static final int MOV = 0xb0;
  public static final int END = 0xd0;
  public static final int K = 0x00;
  public static final int X = 0x08;
  public static final int TO_BE = 0x08;

  // jumps
  public static final int JA = 0x00;
  public static final int JEQ = 0x10;
  public static final int JGT = 0x20;
  public static final int JGE = 0x30;
  public static final int JSET = 0x40;
  public static final int JNE = 0x50;
  public static final int JLT = 0xa0;
  public static final int JLE = 0xb0;
  public static final int CALL = 0x80;
  public static final int EXIT = 0x90;

  // src_reg of ld_imm64 and call
  public static final int PSEUDO_MAP_FD = 1;
  public static final int PSEUDO_MAP_VALUE = 2;
  public static final int PSEUDO_MAP_IDX = 5;
  public static final int PSEUDO_CALL = 1;
  public static final int PSEUDO_KFUNC_CALL = 2;
  public static final int PSEUDO_FUNC = 4;

  public Insn {
    if (dst < 0 || dst > 15 || src < 0 || src > 15) {
      throw new IllegalArgumentException("register out of range: " + dst + ", " + src);
    }
    if (off < Short.MIN_VALUE || off > Short.MAX_VALUE) {
      throw new IllegalArgumentException("offset out of range: " + off);
    }
  }

  public Insn withOff(int newOff) {
    return new Insn(code, dst, src, newOff, imm);
  }

  public Insn withImm(int newImm) {
    return new Insn(code, dst, src, off, newImm);
  }

  public void encode(ByteBuffer b, int at) {
    b.put(at, (byte) code);
    b.put(at + 1, (byte) (dst | (src << 4)));
    b.putShort(at + 2, (short) off);
    b.putInt(at + 4, imm);
  }
}

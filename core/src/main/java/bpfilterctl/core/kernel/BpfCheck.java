package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * xt_bpf.c: revision 0 {u16 bpf_program_num_elem; struct sock_filter bpf_program[64]; prog
 * pointer}, revision 1 {u16 mode, bpf_program_num_elem; s32 fd; union {program, char path[512]};
 * prog pointer}. A classic program goes through the kernel's bpf_check_classic, which we repeat;
 * pinned and fd programs name eBPF objects the umh cannot have.
 */
final class BpfCheck {
  static final int MAX_INSNS = 64;
  static final int MEMWORDS = 16;
  static final int MODE_BYTECODE = 0;

  /** XT_BPF_MODE_PATH_PINNED is XT_BPF_MODE_FD_PINNED (1); 2 is FD_ELF. */
  static final int MODE_PATH_PINNED = 1;

  static final int MODE_FD_ELF = 2;

  /** The classic BPF opcodes the kernel allows (net/core/filter.c, chk_code_allowed). */
  static final Set<Integer> OPCODES =
      Set.of(
          0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x94, 0x9c, 0x54, 0x5c, 0x44, 0x4c, 0xa4,
          0xac, 0x64, 0x6c, 0x74, 0x7c, 0x84, // ALU
          0x20, 0x28, 0x30, 0x80, 0x40, 0x48, 0x50, 0x00, 0x60, // LD
          0x81, 0xb1, 0x01, 0x61, // LDX
          0x02, 0x03, // ST, STX
          0x07, 0x87, // TAX, TXA
          0x06, 0x16, // RET K, RET A
          0x05, 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d); // JMP

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("bpf", 0, 528).user(520).check((c, d) -> classic(d, d.getShort(0) & 0xffff, 4)),
          Xt.match("bpf", 1, 528).user(520).check(BpfCheck::checkV1));

  private BpfCheck() {}

  static Optional<Errno> checkV1(ExtensionContext ctx, ByteBuffer d) {
    int mode = d.getShort(0) & 0xffff;
    if (mode == MODE_BYTECODE) {
      return classic(d, d.getShort(2) & 0xffff, 8);
    }
    if (mode > MODE_FD_ELF) {
      return Optional.of(Errno.EINVAL);
    }
    // an fd of the umh's caller, or a bpffs path: neither exists for the umh
    return Optional.of(mode == MODE_PATH_PINNED ? Errno.ENOENT : Errno.EBADF);
  }

  /** bpf_check_classic over {@code len} 8-byte instructions {u16 code; u8 jt, jf; u32 k}. */
  static Optional<Errno> classic(ByteBuffer d, int len, int at) {
    if (len == 0 || len > MAX_INSNS) {
      return Optional.of(Errno.EINVAL);
    }
    for (int pc = 0; pc < len; pc++) {
      int off = at + pc * 8;
      int code = d.getShort(off) & 0xffff;
      int jt = d.get(off + 2) & 0xff;
      int jf = d.get(off + 3) & 0xff;
      long k = d.getInt(off + 4) & 0xffffffffL;
      if (!OPCODES.contains(code)) {
        return Optional.of(Errno.EINVAL);
      }
      boolean bad =
          switch (code) {
            case 0x34, 0x94 -> k == 0; // DIV/MOD by constant 0
            case 0x64, 0x74 -> k >= 32; // shifts by 32 or more
            case 0x60, 0x61, 0x02, 0x03 -> k >= MEMWORDS; // scratch memory
            case 0x05 -> k >= len - pc - 1; // JA
            case 0x15, 0x1d, 0x35, 0x3d, 0x25, 0x2d, 0x45, 0x4d ->
                pc + jt + 1 >= len || pc + jf + 1 >= len;
            default -> false;
          };
      if (bad) {
        return Optional.of(Errno.EINVAL);
      }
    }
    int last = d.getShort(at + (len - 1) * 8) & 0xffff;
    return Check.einvalIf(last != 0x06 && last != 0x16);
  }
}

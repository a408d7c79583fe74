package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.TreeSet;

/**
 * The BTF func_info the verifier wants of a program that passes a callback to a helper (a recent
 * table's eviction, bpf_for_each_map_elem): one static function {@code int f(void)} per subprogram
 * (the program's start and every target of a BPF-to-BPF call or callback address), in order. Static
 * functions' arguments are the verifier's to track, not BTF's.
 */
final class SubprogBtf {
  private static final int KIND_INT = 1;
  private static final int KIND_FUNC = 12;
  private static final int KIND_FUNC_PROTO = 13;
  private static final int INT_SIGNED = 1;

  private SubprogBtf() {}

  /** True when the program takes a callback's address (BPF_PSEUDO_FUNC). */
  static boolean needed(List<Insn> program) {
    return program.stream()
        .anyMatch(i -> i.code() == (Insn.LD | Insn.DW | Insn.IMM) && i.src() == Insn.PSEUDO_FUNC);
  }

  /** The loaded BTF and the func_info records of {@code program}; the caller closes the fd. */
  static Bpf.FuncInfo of(Bpf bpf, List<Insn> program) throws BpfException {
    TreeSet<Integer> starts = new TreeSet<>();
    starts.add(0);
    for (int pc = 0; pc < program.size(); pc++) {
      Insn i = program.get(pc);
      boolean call = i.code() == (Insn.JMP | Insn.CALL) && i.src() == Insn.PSEUDO_CALL;
      boolean func = i.code() == (Insn.LD | Insn.DW | Insn.IMM) && i.src() == Insn.PSEUDO_FUNC;
      if (call || func) {
        starts.add(pc + i.imm() + 1);
      }
    }
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    strings.write(0);
    ByteBuffer t = ByteBuffer.allocate(32 + 12 * starts.size()).order(ByteOrder.nativeOrder());
    t.putInt(name(strings, "int")).putInt(KIND_INT << 24).putInt(4);
    t.putInt((INT_SIGNED << 24) | 32);
    t.putInt(0).putInt(KIND_FUNC_PROTO << 24).putInt(1); // type 2: int (void)
    ByteBuffer records = ByteBuffer.allocate(8 * starts.size()).order(ByteOrder.nativeOrder());
    int type = 3;
    for (int start : starts) {
      t.putInt(name(strings, "bpfilter_f" + start)).putInt(KIND_FUNC << 24).putInt(2);
      records.putInt(start).putInt(type++);
    }
    int typeLen = t.position();
    byte[] str = strings.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(24 + typeLen + str.length).order(ByteOrder.nativeOrder());
    b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24);
    b.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
    b.put(t.array(), 0, typeLen).put(str);
    Fd btf = bpf.btfLoad(b.array());
    return new Bpf.FuncInfo(btf, records.array(), starts.size());
  }

  private static int name(ByteArrayOutputStream strings, String s) {
    int off = strings.size();
    strings.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    strings.write(0);
    return off;
  }
}

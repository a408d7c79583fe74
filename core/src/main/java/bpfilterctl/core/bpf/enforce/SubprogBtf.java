package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.btf.BtfWriter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.TreeSet;

/**
 * The BTF func_info the verifier wants of a program that passes a callback to a helper (a recent
 * table's eviction, bpf_for_each_map_elem): one static function {@code int f(void)} per subprogram
 * (the program's start and every target of a BPF-to-BPF call or callback address), in order. Static
 * functions' arguments are the verifier's to track, not BTF's.
 */
final class SubprogBtf {
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
    BtfWriter w = new BtfWriter().integer("int", 4, true).funcProto(1); // types 1, 2: int (void)
    ByteBuffer records = ByteBuffer.allocate(8 * starts.size()).order(ByteOrder.nativeOrder());
    int type = 3;
    for (int start : starts) {
      w.func("bpfilter_f" + start, 2);
      records.putInt(start).putInt(type++);
    }
    Fd btf = bpf.btfLoad(w.bytes());
    return new Bpf.FuncInfo(btf, records.array(), starts.size());
  }
}

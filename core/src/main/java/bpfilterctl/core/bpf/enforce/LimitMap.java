package bpfilterctl.core.bpf.enforce;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R6;

import bpfilterctl.core.bpf.btf.BtfWriter;
import bpfilterctl.core.bpf.compile.LimitBuckets;
import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The array map of a table's limit buckets, made as limit_mt_check makes each xt_limit_priv: full
 * credit, prev = now in jiffies. The value carries a struct bpf_spin_lock, which the kernel only
 * allows in a map whose value type is described by BTF: a small BTF blob (u32, u64, bpf_spin_lock,
 * the bucket struct) is loaded with it. "Now" is the kernel's jiffies counter, which user space
 * cannot read: a one-off program, run once with BPF_PROG_TEST_RUN, stores bpf_jiffies64() into
 * every bucket's prev.
 */
final class LimitMap {
  private static final int VALUE_TYPE = 4;
  private static final int KEY_TYPE = 1;

  private static final int JIFFIES64 = 118;
  private static final int MAP_LOOKUP_ELEM = 1;

  private LimitMap() {}

  /** The filled map; closed again on failure. */
  static Fd create(Bpf bpf, LimitBuckets buckets) throws BpfException {
    Fd map;
    try (Fd btf = bpf.btfLoad(btf())) {
      map =
          bpf.mapCreate(
              Bpf.MAP_TYPE_ARRAY,
              4,
              LimitBuckets.VALUE_SIZE,
              buckets.size(),
              "bpfilter_limit",
              btf,
              KEY_TYPE,
              VALUE_TYPE);
    }
    try {
      for (int slot = 0; slot < buckets.size(); slot++) {
        ByteBuffer v = ByteBuffer.allocate(LimitBuckets.VALUE_SIZE).order(ByteOrder.nativeOrder());
        v.putInt(LimitBuckets.CREDIT, (int) buckets.credit(slot));
        bpf.mapUpdate(map, key(slot), v.array());
      }
      stampJiffies(bpf, map, buckets.size());
      return map;
    } catch (BpfException | RuntimeException e) {
      map.close();
      throw e;
    }
  }

  private static byte[] key(int slot) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, slot).array();
  }

  /** Runs, once, a program that sets every bucket's prev to bpf_jiffies64(). */
  private static void stampJiffies(Bpf bpf, Fd map, int slots) throws BpfException {
    Emitter e = new Emitter();
    e.callHelper(JIFFIES64).movReg(R6, R0);
    for (int slot = 0; slot < slots; slot++) {
      Label skip = e.label("skip" + slot);
      e.st(Insn.W, R10, -8, slot);
      e.ldMapFd(R1, map.value());
      e.movReg(R2, R10).alu(Insn.ADD, R2, -8);
      e.callHelper(MAP_LOOKUP_ELEM);
      e.jmp(Insn.JEQ, R0, 0, skip);
      e.stx(Insn.DW, R0, LimitBuckets.PREV, R6);
      e.bind(skip);
    }
    e.mov(R0, 1).exit();
    try (Fd prog =
        bpf.progLoad(
            Bpf.PROG_TYPE_NETFILTER,
            Bpf.ATTACH_NETFILTER,
            Emitter.encode(e.finish()),
            "bpfilter_jiffy")) {
      byte[] ip = new byte[20];
      ip[0] = 0x45;
      ip[3] = 20;
      byte[] state = new byte[48];
      state[0] = 3; // NF_INET_LOCAL_OUT
      state[1] = (byte) Bpf.NFPROTO_IPV4;
      bpf.testRun(prog, ip, state, 1);
    }
  }

  /** Types 1 u32, 2 u64, 3 struct bpf_spin_lock {u32 val}, 4 the bucket {lock, credit, prev}. */
  private static byte[] btf() {
    return new BtfWriter()
        .integer("u32", 4, false)
        .integer("u64", 8, false)
        .struct("bpf_spin_lock", 1, 4)
        .member("val", 1, 0)
        .struct("bpfilter_limit", 3, LimitBuckets.VALUE_SIZE)
        .member("lock", 3, 0)
        .member("credit", 1, LimitBuckets.CREDIT)
        .member("prev", 2, LimitBuckets.PREV)
        .bytes();
  }
}

package bpfilterctl.core.bpf.enforce;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R6;

import bpfilterctl.core.bpf.compile.LimitBuckets;
import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The array map of a table's limit buckets, made as limit_mt_check makes each xt_limit_priv: full
 * credit, prev = now in jiffies. The value carries a struct bpf_spin_lock, which the kernel only
 * allows in a map whose value type is described by BTF: a small BTF blob (u32, u64, bpf_spin_lock,
 * the bucket struct) is loaded with it. "Now" is the kernel's jiffies counter, which user space
 * cannot read: a one-off program, run once with BPF_PROG_TEST_RUN, stores bpf_jiffies64() into
 * every bucket's prev.
 */
final class LimitMap {
  private static final int KIND_INT = 1;
  private static final int KIND_STRUCT = 4;
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
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    strings.write(0);
    ByteBuffer t = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());
    intType(t, name(strings, "u32"), 4);
    intType(t, name(strings, "u64"), 8);
    t.putInt(name(strings, "bpf_spin_lock")).putInt((KIND_STRUCT << 24) | 1).putInt(4);
    t.putInt(name(strings, "val")).putInt(1).putInt(0);
    t.putInt(name(strings, "bpfilter_limit")).putInt((KIND_STRUCT << 24) | 3);
    t.putInt(LimitBuckets.VALUE_SIZE);
    t.putInt(name(strings, "lock")).putInt(3).putInt(0);
    t.putInt(name(strings, "credit")).putInt(1).putInt(8 * LimitBuckets.CREDIT);
    t.putInt(name(strings, "prev")).putInt(2).putInt(8 * LimitBuckets.PREV);
    int typeLen = t.position();
    byte[] str = strings.toByteArray();
    ByteBuffer b = ByteBuffer.allocate(24 + typeLen + str.length).order(ByteOrder.nativeOrder());
    b.putShort((short) 0xeb9f).put((byte) 1).put((byte) 0).putInt(24);
    b.putInt(0).putInt(typeLen).putInt(typeLen).putInt(str.length);
    b.put(t.array(), 0, typeLen).put(str);
    return b.array();
  }

  private static void intType(ByteBuffer t, int name, int size) {
    t.putInt(name).putInt(KIND_INT << 24).putInt(size).putInt(size * 8);
  }

  private static int name(ByteArrayOutputStream strings, String s) {
    int off = strings.size();
    strings.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    strings.write(0);
    return off;
  }
}

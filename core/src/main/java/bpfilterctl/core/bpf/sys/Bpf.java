package bpfilterctl.core.bpf.sys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The bpf(2) commands enforcement needs, through libc's syscall(): maps, program load (with the
 * verifier's log on refusal), test runs, netfilter links, pins. One instance per process is enough;
 * it holds no kernel state of its own.
 */
public final class Bpf {
  /** x86-64 syscall numbers. */
  private static final long SYS_BPF = 321;

  private static final int MAP_CREATE = 0;
  private static final int MAP_LOOKUP_ELEM = 1;
  private static final int MAP_UPDATE_ELEM = 2;
  private static final int MAP_DELETE_ELEM = 3;
  private static final int PROG_LOAD = 5;
  private static final int OBJ_PIN = 6;
  private static final int OBJ_GET = 7;
  private static final int PROG_TEST_RUN = 10;
  private static final int OBJ_GET_INFO_BY_FD = 15;
  private static final int MAP_UPDATE_BATCH = 26;
  private static final int BTF_LOAD = 18;
  private static final int LINK_CREATE = 28;
  private static final int LINK_DETACH = 34;

  public static final int MAP_TYPE_HASH = 1;
  public static final int MAP_TYPE_ARRAY = 2;
  public static final int MAP_TYPE_PERCPU_ARRAY = 6;
  public static final int MAP_TYPE_LPM_TRIE = 11;
  public static final int MAP_TYPE_RINGBUF = 27;
  public static final int PROG_TYPE_NETFILTER = 32;
  public static final int ATTACH_NETFILTER = 45;
  public static final int NFPROTO_IPV4 = 2;

  /** Larger than every command's attr; the kernel wants the unused tail zero. */
  private static final int ATTR_SIZE = 160;

  private static final int LOG_SIZE = 1 << 22;

  private final Libc libc;
  private final Runtime runtime;
  private final int possibleCpus;

  private Bpf(Libc libc, int possibleCpus) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
    this.possibleCpus = possibleCpus;
  }

  /** Loads libc and reads the possible CPUs (per-CPU map values have one slot each). */
  public static Bpf open() throws IOException {
    Libc libc = LibraryLoader.create(Libc.class).load("c");
    String possible =
        Files.readString(Path.of("/sys/devices/system/cpu/possible"), StandardCharsets.US_ASCII);
    return new Bpf(libc, CpuList.count(possible.trim()));
  }

  public Libc libc() {
    return libc;
  }

  public int possibleCpus() {
    return possibleCpus;
  }

  private Pointer attr() {
    Pointer p = Memory.allocateDirect(runtime, ATTR_SIZE, true);
    return p;
  }

  private Pointer bytes(byte[] b) {
    Pointer p = Memory.allocateDirect(runtime, Math.max(1, b.length), true);
    p.put(0, b, 0, b.length);
    return p;
  }

  private Pointer cString(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    Pointer p = Memory.allocateDirect(runtime, b.length + 1, true);
    p.put(0, b, 0, b.length);
    return p;
  }

  private long call(int cmd, Pointer attr, String what) throws BpfException {
    long r = libc.syscall(SYS_BPF, cmd, attr.address(), ATTR_SIZE);
    if (r < 0) {
      throw new BpfException(what, runtime.getLastError());
    }
    return r;
  }

  private Fd fd(long r) {
    return new Fd(libc, (int) r);
  }

  private static void name(Pointer attr, int at, String name) {
    byte[] b = name.getBytes(StandardCharsets.US_ASCII);
    attr.put(at, b, 0, Math.min(b.length, 15)); // BPF_OBJ_NAME_LEN 16 with its NUL
  }

  /** union bpf_attr's head for BPF_MAP_CREATE: type, sizes, entries, map_flags, map_name. */
  private Pointer mapAttr(
      int type, int keySize, int valueSize, int maxEntries, int flags, String name) {
    Pointer a = attr();
    a.putInt(0, type);
    a.putInt(4, keySize);
    a.putInt(8, valueSize);
    a.putInt(12, maxEntries);
    a.putInt(16, flags);
    name(a, 28, name);
    return a;
  }

  /** BPF_MAP_CREATE. */
  public Fd mapCreate(int type, int keySize, int valueSize, int maxEntries, String name)
      throws BpfException {
    return fd(
        call(
            MAP_CREATE,
            mapAttr(type, keySize, valueSize, maxEntries, 0, name),
            "BPF_MAP_CREATE " + name));
  }

  /** Bytes of a per-CPU value as the syscall moves it: each CPU's slot rounded up to 8. */
  public int perCpuValueSize(int valueSize) {
    return ((valueSize + 7) & ~7) * possibleCpus;
  }

  /** BPF_MAP_LOOKUP_ELEM; {@code valueSize} is the whole buffer (see {@link #perCpuValueSize}). */
  public byte[] mapLookup(Fd map, byte[] key, int valueSize) throws BpfException {
    Pointer k = bytes(key);
    Pointer v = Memory.allocateDirect(runtime, valueSize, true);
    Pointer a = attr();
    a.putInt(0, map.value());
    a.putLong(8, k.address());
    a.putLong(16, v.address());
    call(MAP_LOOKUP_ELEM, a, "BPF_MAP_LOOKUP_ELEM");
    byte[] out = new byte[valueSize];
    v.get(0, out, 0, valueSize);
    return out;
  }

  /** BPF_MAP_UPDATE_ELEM with BPF_ANY. */
  public void mapUpdate(Fd map, byte[] key, byte[] value) throws BpfException {
    Pointer k = bytes(key);
    Pointer v = bytes(value);
    Pointer a = attr();
    a.putInt(0, map.value());
    a.putLong(8, k.address());
    a.putLong(16, v.address());
    call(MAP_UPDATE_ELEM, a, "BPF_MAP_UPDATE_ELEM");
  }

  /**
   * BPF_MAP_UPDATE_BATCH of {@code count} elements, keys and values each packed back to back, in
   * one call. Throws if the kernel stored fewer than all of them.
   */
  public void mapUpdateBatch(Fd map, byte[] keys, byte[] values, int count) throws BpfException {
    Pointer k = bytes(keys);
    Pointer v = bytes(values);
    Pointer a = attr();
    a.putLong(16, k.address());
    a.putLong(24, v.address());
    a.putInt(32, count);
    a.putInt(36, map.value());
    call(MAP_UPDATE_BATCH, a, "BPF_MAP_UPDATE_BATCH");
    if (a.getInt(32) != count) {
      throw new BpfException(
          "BPF_MAP_UPDATE_BATCH stored " + a.getInt(32) + " of " + count, 28 /* ENOSPC */);
    }
  }

  /** BPF_PROG_LOAD of a GPL program that uses no fd_array. */
  public Fd progLoad(int type, int expectedAttachType, byte[] insns, String name)
      throws BpfException {
    return progLoad(type, expectedAttachType, insns, name, new int[0]);
  }

  /**
   * BPF_PROG_LOAD of a GPL program whose BPF_PSEUDO_MAP_IDX loads name the maps of {@code fdArray}.
   * Refused programs are loaded a second time with the verifier log on, so that the exception says
   * why.
   */
  public Fd progLoad(int type, int expectedAttachType, byte[] insns, String name, int[] fdArray)
      throws BpfException {
    return progLoad(type, expectedAttachType, insns, name, fdArray, null);
  }

  /**
   * BTF func_info for BPF_PROG_LOAD: {@code records} holds {@code count} bpf_func_info records (u32
   * insn_off, u32 type_id), one per subprogram, whose types are in {@code btf}. The verifier wants
   * it of a program that passes a callback (BPF_PSEUDO_FUNC).
   */
  public record FuncInfo(Fd btf, byte[] records, int count) {}

  /** As above, with {@code funcInfo} (null: none). */
  public Fd progLoad(
      int type, int expectedAttachType, byte[] insns, String name, int[] fdArray, FuncInfo funcInfo)
      throws BpfException {
    try {
      return progLoad(type, expectedAttachType, insns, name, fdArray, funcInfo, 0);
    } catch (BpfException first) {
      if (first.errno() == 1 /* EPERM */ || first.errno() == 7 /* E2BIG */) {
        throw first;
      }
      progLoad(type, expectedAttachType, insns, name, fdArray, funcInfo, 1); // throws with the log
      throw first;
    }
  }

  private Fd progLoad(
      int type,
      int expectedAttachType,
      byte[] insns,
      String name,
      int[] fdArray,
      FuncInfo funcInfo,
      int logLevel)
      throws BpfException {
    Pointer code = bytes(insns);
    Pointer fds = null;
    if (fdArray.length > 0) {
      fds = Memory.allocateDirect(runtime, 4 * fdArray.length, true);
      for (int i = 0; i < fdArray.length; i++) {
        fds.putInt(4L * i, fdArray[i]);
      }
    }
    Pointer license = cString("GPL");
    Pointer log = logLevel == 0 ? null : Memory.allocateDirect(runtime, LOG_SIZE, true);
    Pointer a = attr();
    a.putInt(0, type);
    a.putInt(4, insns.length / 8);
    a.putLong(8, code.address());
    a.putLong(16, license.address());
    if (log != null) {
      a.putInt(24, logLevel);
      a.putInt(28, LOG_SIZE);
      a.putLong(32, log.address());
    }
    name(a, 48, name);
    a.putInt(68, expectedAttachType);
    if (fds != null) {
      a.putLong(120, fds.address());
    }
    Pointer records = null;
    if (funcInfo != null) {
      records = bytes(funcInfo.records());
      a.putInt(72, funcInfo.btf().value());
      a.putInt(76, 8); // sizeof(struct bpf_func_info)
      a.putLong(80, records.address());
      a.putInt(88, funcInfo.count());
    }
    long r = libc.syscall(SYS_BPF, PROG_LOAD, a.address(), ATTR_SIZE);
    if (r < 0) {
      int errno = runtime.getLastError();
      throw new BpfException("BPF_PROG_LOAD " + name, errno, log == null ? "" : logTail(log));
    }
    return fd(r);
  }

  /** The end of the verifier log, where it says what it refused. */
  private static String logTail(Pointer log) {
    String s = log.getString(0, LOG_SIZE, StandardCharsets.UTF_8).strip();
    String[] lines = s.split("\n");
    int from = Math.max(0, lines.length - 12);
    return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }

  /** What one BPF_PROG_TEST_RUN gave back. */
  public record TestRun(int retval, long durationNs) {}

  /** BPF_PROG_TEST_RUN with packet data and an optional context ({@code ctx} may be null). */
  public TestRun testRun(Fd prog, byte[] data, byte[] ctx, int repeat) throws BpfException {
    Pointer d = bytes(data);
    Pointer c = ctx == null ? null : bytes(ctx);
    Pointer a = attr();
    a.putInt(0, prog.value());
    a.putInt(8, data.length);
    a.putLong(16, d.address());
    a.putInt(32, repeat);
    if (c != null) {
      a.putInt(40, ctx.length);
      a.putLong(48, c.address());
    }
    call(PROG_TEST_RUN, a, "BPF_PROG_TEST_RUN");
    return new TestRun(a.getInt(4), Integer.toUnsignedLong(a.getInt(36)));
  }

  /** BPF_LINK_CREATE of a netfilter program at {@code hook}, {@code priority}, IPv4. */
  public Fd linkNetfilter(Fd prog, int hook, int priority) throws BpfException {
    Pointer a = attr();
    a.putInt(0, prog.value());
    a.putInt(8, ATTACH_NETFILTER);
    a.putInt(16, NFPROTO_IPV4);
    a.putInt(20, hook);
    a.putInt(24, priority);
    return fd(call(LINK_CREATE, a, "BPF_LINK_CREATE netfilter hook " + hook));
  }

  /**
   * BPF_LINK_DETACH: the link's program leaves its hook now. Closing the last fd of a pinned link
   * does not: the pin's reference is dropped after the unlink, an RCU grace period and a workqueue
   * pass later, and until then the hook keeps the program and its priority.
   */
  public void linkDetach(Fd link) throws BpfException {
    Pointer a = attr();
    a.putInt(0, link.value());
    call(LINK_DETACH, a, "BPF_LINK_DETACH");
  }

  /** BPF_OBJ_PIN: the object lives on at {@code path} in a bpffs. */
  public void pin(Fd obj, String path) throws BpfException {
    Pointer p = cString(path);
    Pointer a = attr();
    a.putLong(0, p.address());
    a.putInt(8, obj.value());
    call(OBJ_PIN, a, "BPF_OBJ_PIN " + path);
  }

  /** BPF_OBJ_GET: a new fd for a pinned object. */
  public Fd pinned(String path) throws BpfException {
    Pointer p = cString(path);
    Pointer a = attr();
    a.putLong(0, p.address());
    return fd(call(OBJ_GET, a, "BPF_OBJ_GET " + path));
  }

  /** A map's max_entries (bpf_map_info at offset 16). */
  public int mapMaxEntries(Fd map) throws BpfException {
    Pointer info = Memory.allocateDirect(runtime, 256, true);
    Pointer a = attr();
    a.putInt(0, map.value());
    a.putInt(4, 256);
    a.putLong(8, info.address());
    call(OBJ_GET_INFO_BY_FD, a, "BPF_OBJ_GET_INFO_BY_FD");
    return info.getInt(16);
  }

  /** The kernel's id of a program, map or link (bpf_*_info.id, at offset 4 in each). */
  public int objectId(Fd obj) throws BpfException {
    Pointer info = Memory.allocateDirect(runtime, 256, true);
    Pointer a = attr();
    a.putInt(0, obj.value());
    a.putInt(4, 256);
    a.putLong(8, info.address());
    call(OBJ_GET_INFO_BY_FD, a, "BPF_OBJ_GET_INFO_BY_FD");
    return info.getInt(4);
  }

  /** BPF_BTF_LOAD of a BTF blob (header, types, strings); its fd describes map values. */
  public Fd btfLoad(byte[] blob) throws BpfException {
    Pointer b = bytes(blob);
    Pointer a = attr();
    a.putLong(0, b.address());
    a.putInt(16, blob.length);
    return fd(call(BTF_LOAD, a, "BPF_BTF_LOAD"));
  }

  /**
   * BPF_MAP_CREATE whose key and value are the types {@code keyType} and {@code valueType} of
   * {@code btf} (a value with a struct bpf_spin_lock needs this).
   */
  public Fd mapCreate(
      int type,
      int keySize,
      int valueSize,
      int maxEntries,
      String name,
      Fd btf,
      int keyType,
      int valueType)
      throws BpfException {
    Pointer a = mapAttr(type, keySize, valueSize, maxEntries, 0, name);
    a.putInt(48, btf.value());
    a.putInt(52, keyType);
    a.putInt(56, valueType);
    return fd(call(MAP_CREATE, a, "BPF_MAP_CREATE " + name));
  }

  /** BPF_MAP_CREATE with map_flags (BPF_F_NO_PREALLOC, which an LPM trie needs). */
  public Fd mapCreate(int type, int keySize, int valueSize, int maxEntries, String name, int flags)
      throws BpfException {
    return fd(
        call(
            MAP_CREATE,
            mapAttr(type, keySize, valueSize, maxEntries, flags, name),
            "BPF_MAP_CREATE " + name));
  }

  /** BPF_MAP_DELETE_ELEM. */
  public void mapDelete(Fd map, byte[] key) throws BpfException {
    Pointer k = bytes(key);
    Pointer a = attr();
    a.putInt(0, map.value());
    a.putLong(8, k.address());
    call(MAP_DELETE_ELEM, a, "BPF_MAP_DELETE_ELEM");
  }
}

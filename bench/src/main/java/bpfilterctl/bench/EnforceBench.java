package bpfilterctl.bench;

import bpfilterctl.core.bpf.btf.Btf;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.bpf.compile.KernelLayout;
import bpfilterctl.core.bpf.compile.Refusal;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.enforce.ProgramLoader;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.IptablesRestore;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Enforcement figures. {@code hold NETNS_PATH RULES_FILE}: enforces the filter table of the
 * iptables-restore file in that namespace (Enforcer.install: compile, load, verify, attach), prints
 * one "ready" line with the times, and keeps it attached until stdin closes. {@code testrun
 * RULES_FILE}: compiles and loads the table (not attached) and prints BPF_PROG_TEST_RUN ns per
 * packet of a packet no rule matches, and instructions, linear and with lookups.
 */
public final class EnforceBench {
  private static final int LOCAL_IN = 1;

  private EnforceBench() {}

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "hold" -> hold(args[1], Path.of(args[2]));
      case "testrun" -> testRun(Path.of(args[1]));
      default -> throw new IllegalArgumentException("usage: hold NETNS RULES | testrun RULES");
    }
  }

  /** The table the umh's engine holds after an iptables-restore of the file. */
  static FilterTable table(Path rules) throws Exception {
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    ModuleSockopts port = ModuleSockopts.direct(engine::handle);
    Iptables iptables = new Iptables(port, XtExtensions.standard(), Lookups.system());
    StringBuilder err = new StringBuilder();
    int rc =
        new IptablesRestore(iptables)
            .run(
                new IptablesRestore.Options(false, false, false, 0, null, null),
                Files.readString(rules),
                new StringBuilder(),
                err);
    if (rc != 0) {
      throw new IllegalStateException("restore: " + err);
    }
    IptGetinfo info =
        IptGetinfo.decode(port.get(Sockopt.IPT_SO_GET_INFO.cmd(), IptGetinfo.request("filter")));
    IptGetEntries got =
        IptGetEntries.decode(
            port.get(
                Sockopt.IPT_SO_GET_ENTRIES.cmd(), IptGetEntries.request("filter", info.size())));
    return FilterTable.of(info, got);
  }

  private static void hold(String netns, Path rules) throws Exception {
    FilterTable table = table(rules);
    KernelLayout layout = KernelLayout.from(Btf.vmlinux());
    // A separate compile for its time; a table with REJECT or LOG compiles only with the
    // Enforcer's ring buffer, so its time is then part of install_ms alone (-1 here).
    long c0 = System.nanoTime();
    CompiledTable compiled = null;
    try {
      compiled = new FilterCompiler(layout).compile(table, 0);
    } catch (Refusal r) {
      // compiled by install below, with the targets' maps
    }
    long compileNs = compiled == null ? -1_000_000 : System.nanoTime() - c0;
    try (Enforcer enforcer = Enforcer.open()) {
      long t0 = System.nanoTime();
      Netns.call(enforcer.bpf(), netns, () -> enforcer.install(table));
      long installNs = System.nanoTime() - t0;
      int insns =
          enforcer.live().orElseThrow().instructions().values().stream()
              .mapToInt(Integer::intValue)
              .sum();
      System.out.printf(
          "ready entries=%d insns=%d lookups=%d compile_ms=%.1f install_ms=%.1f%n",
          table.size(),
          insns,
          compiled == null ? -1 : compiled.lookups().count(),
          compileNs / 1e6,
          installNs / 1e6);
      System.out.flush();
      InputStream in = System.in;
      while (in.read() >= 0) {
        // hold until the script closes our stdin
      }
      System.out.println("counters " + counterSum(enforcer));
    }
  }

  /** Packets counted by every entry of the live generation (a sanity line for the script). */
  private static long counterSum(Enforcer enforcer) throws Exception {
    long sum = 0;
    for (var c : enforcer.live().orElseThrow().counters()) {
      sum += c.pcnt();
    }
    return sum;
  }

  private static void testRun(Path rules) throws Exception {
    FilterTable table = table(rules);
    Bpf bpf = Bpf.open();
    KernelLayout layout = KernelLayout.from(Btf.vmlinux());
    for (int minRun : new int[] {0, FilterCompiler.DEFAULT_MIN_RUN}) {
      String mode = minRun == 0 ? "linear" : "lookups";
      try (Fd map =
          bpf.mapCreate(
              Bpf.MAP_TYPE_PERCPU_ARRAY,
              4,
              CompiledTable.COUNTER_SIZE,
              table.size(),
              "bench_ctrs")) {
        long t0 = System.nanoTime();
        CompiledTable compiled = new FilterCompiler(layout, minRun).compile(table, map.value());
        long t1 = System.nanoTime();
        Map<Integer, Fd> progs;
        try {
          progs = ProgramLoader.load(bpf, compiled, "bench_h");
        } catch (Exception e) {
          System.out.printf(
              "%s entries=%d insns=%d refused: %s%n",
              mode, table.size(), compiled.programs().get(LOCAL_IN).size(), firstLine(e));
          continue;
        }
        long t2 = System.nanoTime();
        try {
          Bpf.TestRun r = bpf.testRun(progs.get(LOCAL_IN), frame(missPacket()), hookState(), 5000);
          System.out.printf(
              "%s entries=%d insns_in=%d compile_ms=%.1f load_verify_ms=%.1f verdict=%d"
                  + " ns_per_packet=%d%n",
              mode,
              table.size(),
              compiled.programs().get(LOCAL_IN).size(),
              (t1 - t0) / 1e6,
              (t2 - t1) / 1e6,
              r.retval(),
              r.durationNs());
        } finally {
          progs.values().forEach(Fd::close);
        }
      }
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    List<String> lines = m.lines().toList();
    return lines.isEmpty() ? m : lines.get(lines.size() - 1);
  }

  /** UDP 10.200.0.1:4000 -> 10.200.0.2:9000: what bench/enforce.sh sends. */
  private static byte[] missPacket() {
    ByteBuffer b = ByteBuffer.allocate(20 + 8 + 18).order(ByteOrder.BIG_ENDIAN);
    b.put(0, (byte) 0x45).putShort(2, (short) b.capacity()).put(8, (byte) 64).put(9, (byte) 17);
    b.putInt(12, 0x0ac80001).putInt(16, 0x0ac80002);
    b.putShort(20, (short) 4000).putShort(22, (short) 9000).putShort(24, (short) 26);
    return b.array();
  }

  /** BPF_PROG_TEST_RUN at LOCAL_IN wants an Ethernet header first. */
  private static byte[] frame(byte[] ip) {
    byte[] f = new byte[14 + ip.length];
    f[12] = 0x08;
    System.arraycopy(ip, 0, f, 14, ip.length);
    return f;
  }

  /** struct nf_hook_state with hook and pf set. */
  private static byte[] hookState() {
    byte[] s = new byte[48];
    s[0] = (byte) LOCAL_IN;
    s[1] = (byte) Bpf.NFPROTO_IPV4;
    return s;
  }
}

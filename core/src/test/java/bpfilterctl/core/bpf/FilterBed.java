package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.btf.Btf;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.bpf.compile.KernelLayout;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.enforce.ProgramLoader;
import bpfilterctl.core.bpf.enforce.RecentMaps;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.IptablesRestore;
import bpfilterctl.core.iptables.IptablesSave;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.umh.tables.TableEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A filter table built with iptables command lines against the umh's table engine, compiled and
 * loaded (not attached): its programs run on crafted packets with BPF_PROG_TEST_RUN.
 */
final class FilterBed implements AutoCloseable {
  static final Bpf BPF;
  static final KernelLayout KERNEL;
  static final String UNAVAILABLE;

  static {
    Bpf bpf = null;
    KernelLayout kernel = null;
    String why = null;
    try {
      bpf = Bpf.open();
      kernel = KernelLayout.from(Btf.vmlinux());
      try (Fd probe = bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 8, 1, "probe")) {
        probe.value();
      }
    } catch (Exception | LinkageError ex) {
      why = "bpf() unavailable here: " + ex.getMessage();
    }
    BPF = bpf;
    KERNEL = kernel;
    UNAVAILABLE = why;
  }

  static void assumeBpf() {
    Require.that(UNAVAILABLE == null, UNAVAILABLE);
  }

  final TableEngine engine;
  final ModuleSockopts port;
  final Iptables iptables;
  FilterTable table;
  CompiledTable compiled;
  Fd map;
  final Map<Integer, Fd> progs = new HashMap<>();
  private int minRun = FilterCompiler.DEFAULT_MIN_RUN;
  private int eagerLimit = FilterCompiler.DEFAULT_EAGER_LIMIT;
  private Fd routes;
  private final RecentMaps recent = new RecentMaps(BPF, null);

  FilterBed() {
    this(ExtensionRegistry.kernel());
  }

  /** A table engine with these extensions (iptables picks its revisions from them). */
  FilterBed(ExtensionRegistry registry) {
    engine = new TableEngine(registry);
    port = ModuleSockopts.direct(engine::handle);
    iptables = new Iptables(port, XtExtensions.standard(), Lookups.system());
  }

  /** Every entry compiled with one jump (accumulated tests), whatever the table's size. */
  FilterBed accumulated() {
    eagerLimit = -1;
    return this;
  }

  /** The route map addrtype matches look up (the caller fills and closes it). */
  FilterBed routes(Fd map) {
    routes = map;
    return this;
  }

  /** Runs of at least {@code n} rules of one shape compile as lookups (0: none do). */
  FilterBed minRun(int n) {
    minRun = n;
    return this;
  }

  /** Runs each line as an iptables command (split on spaces) and fails if one is refused. */
  FilterBed rules(String... lines) throws Exception {
    for (String l : lines) {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      int rc = iptables.run(List.of(l.trim().split("\\s+")), out, err);
      assertThat(rc).as("iptables %s: %s", l, err).isZero();
    }
    return this;
  }

  /** Runs {@code table} (iptables-save format) through iptables-restore; fails if it is refused. */
  FilterBed restore(String table) throws Exception {
    StringBuilder err = new StringBuilder();
    int rc =
        new IptablesRestore(iptables)
            .run(
                new IptablesRestore.Options(false, false, false, 0, null, null),
                table,
                new StringBuilder(),
                err);
    assertThat(rc).as("iptables-restore: %s\n%s", err, table).isZero();
    return this;
  }

  FilterTable read() throws Exception {
    IptGetinfo info =
        IptGetinfo.decode(port.get(Sockopt.IPT_SO_GET_INFO.cmd(), IptGetinfo.request("filter")));
    IptGetEntries got =
        IptGetEntries.decode(
            port.get(
                Sockopt.IPT_SO_GET_ENTRIES.cmd(), IptGetEntries.request("filter", info.size())));
    return FilterTable.of(info, got);
  }

  /** Compiles the table as it is now and loads its programs. */
  FilterBed load() throws Exception {
    closePrograms();
    table = read();
    map =
        BPF.mapCreate(
            Bpf.MAP_TYPE_PERCPU_ARRAY, 4, CompiledTable.COUNTER_SIZE, table.size(), "counters");
    compiled =
        new FilterCompiler(KERNEL, minRun, eagerLimit)
            .compile(table, map.value(), null, recent.live());
    List<Fd> recentMaps = recent.open(compiled.recent());
    progs.putAll(ProgramLoader.load(BPF, compiled, "filter_h", routes, recentMaps));
    recent.commit(compiled.recent()); // kept across loads, as the kernel keeps its tables
    return this;
  }

  /** struct nf_hook_state with only hook and pf set (what test_run_nf accepts). */
  static byte[] hookState(int hook) {
    ByteBuffer b = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, (byte) hook);
    b.put(1, (byte) Bpf.NFPROTO_IPV4);
    return b.array();
  }

  /** The verdict (0 NF_DROP, 1 NF_ACCEPT) of the hook's program for this IP packet. */
  int verdict(int hook, byte[] ipPacket) throws BpfException {
    return BPF.testRun(progs.get(hook), Packets.frame(hook, ipPacket), hookState(hook), 1).retval();
  }

  /** {packets, bytes} of entry {@code index}, summed over CPUs. */
  long[] counter(int index) throws BpfException {
    byte[] key = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, index).array();
    int size = BPF.perCpuValueSize(CompiledTable.COUNTER_SIZE);
    ByteBuffer v = ByteBuffer.wrap(BPF.mapLookup(map, key, size)).order(ByteOrder.LITTLE_ENDIAN);
    long[] sum = new long[2];
    for (int at = 0; at < size; at += CompiledTable.COUNTER_SIZE) {
      sum[0] += v.getLong(at);
      sum[1] += v.getLong(at + 8);
    }
    return sum;
  }

  /**
   * Every hook's program attached in a namespace until closed (Netns.call: its links live there).
   */
  Links attach(String netnsPath) throws Exception {
    Links links = new Links();
    try {
      for (int hook : progs.keySet()) {
        Fd prog = progs.get(hook);
        links.fds.add(Netns.call(BPF, netnsPath, () -> BPF.linkNetfilter(prog, hook, 0)));
      }
      return links;
    } catch (Exception | Error e) {
      links.close();
      throw e;
    }
  }

  /** The links {@link #attach} made; closing them detaches the programs. */
  static final class Links implements AutoCloseable {
    private final List<Fd> fds = new ArrayList<>();

    @Override
    public void close() {
      fds.forEach(Fd::close);
    }
  }

  /**
   * {@code iptables-save -c -t filter} of the bed's table with what the programs counted added to
   * it (as the umh's GET_ENTRIES shows enforced traffic), comment lines left out: what the
   * differential tests compare with the kernel's.
   */
  String saveWithCounters() throws Exception {
    List<XtCounters> counters = new ArrayList<>();
    for (int i = 0; i < table.size(); i++) {
      long[] c = counter(i);
      counters.add(new XtCounters(c[0], c[1]));
    }
    return saveWithCounters(counters);
  }

  /**
   * As {@link #saveWithCounters()}, with traffic counted elsewhere (an Enforcer's live generation
   * when it, not this bed, loaded the programs).
   */
  String saveWithCounters(List<XtCounters> counters) throws Exception {
    port.set(
        Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd(), new XtCountersInfo("filter", counters).encode());
    StringBuilder save = new StringBuilder();
    new IptablesSave(iptables, ZonedDateTime::now)
        .run(List.of("-c", "-t", "filter"), save, new StringBuilder());
    return withoutComments(save.toString());
  }

  /**
   * As {@link #saveWithCounters(List)}, with the counters of {@code enforcer}'s live generation.
   */
  String saveWithCounters(Enforcer enforcer) throws Exception {
    return saveWithCounters(enforcer.live().orElseThrow().counters());
  }

  /**
   * This bed's table installed by {@code enforcer} in the namespace at {@code nsPath}, the lines
   * its LOG and REJECT targets report going to {@code lines}.
   */
  void enforceIn(Enforcer enforcer, String nsPath, Consumer<String> lines) throws Exception {
    Netns.call(
        enforcer.bpf(),
        nsPath,
        () -> {
          enforcer.listen(lines);
          return enforcer.install(read());
        });
  }

  /** What the kernel's table and ours let out of their namespaces, and each one's counters. */
  record Sides(String kernelOut, String ourOut, String kernelSave, String ourSave) {
    /** Ours let out what the kernel's let out, and counted it as the kernel's did. */
    void assertOursAreTheKernels() {
      assertThat(ourOut).as("what got out").isEqualTo(kernelOut);
      assertThat(ourSave).as("counters").isEqualTo(kernelSave);
    }
  }

  /** Sends from a namespace; returns what got out, as text. */
  interface Traffic {
    String run(TestNetns ns) throws Exception;
  }

  /**
   * {@code table} restored by iptables-legacy in one new namespace and enforced by our programs in
   * another (no ARP on d0: every packet is sent), the same {@code traffic} run in each, then each
   * side's iptables-save -c.
   */
  static Sides againstKernel(String table, Traffic traffic) throws Exception {
    try (TestNetns kernel = TestNetns.create();
        TestNetns ours = TestNetns.create();
        FilterBed bed = new FilterBed()) {
      for (TestNetns ns : List.of(kernel, ours)) {
        ns.ip("link", "set", "d0", "arp", "off");
      }
      TestNetns.Result restored = kernel.exec(table, "iptables-legacy-restore");
      assertThat(restored.rc()).as("kernel restore: %s", restored.err()).isZero();
      String kernelOut = traffic.run(kernel);
      String kernelSave =
          withoutComments(kernel.exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
      bed.restore(table).load();
      String ourOut;
      Links links = bed.attach(ours.path());
      try {
        ourOut = traffic.run(ours);
      } finally {
        links.close();
      }
      return new Sides(kernelOut, ourOut, kernelSave, bed.saveWithCounters());
    }
  }

  /** An iptables-save text without its comment lines (the dates and versions). */
  static String withoutComments(String save) {
    return save.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
  }

  List<Insn> program(int hook) {
    return compiled.programs().get(hook);
  }

  @Override
  public void close() {
    closePrograms();
    recent.close();
  }

  private void closePrograms() {
    progs.values().forEach(Fd::close);
    progs.clear();
    if (map != null) {
      map.close();
      map = null;
    }
  }
}

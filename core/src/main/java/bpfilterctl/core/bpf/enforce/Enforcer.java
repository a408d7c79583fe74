package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.btf.Btf;
import bpfilterctl.core.bpf.compile.AddrtypeMatch;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.bpf.compile.KernelLayout;
import bpfilterctl.core.bpf.compile.Refusal;
import bpfilterctl.core.bpf.compile.TargetLayout;
import bpfilterctl.core.bpf.compile.TargetMaps;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.BpfFs;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.uapi.XtCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Enforces the filter table in the calling thread's network namespace. {@link #install} compiles
 * and loads a table, attaches it at the priority the live generation does not use, and only then
 * closes the live generation's links: at every moment at least one generation filters, so a replace
 * never lets a packet through unfiltered. The old generation's counters are read after it was
 * detached.
 *
 * <p>Priorities: ip_tables' filter table sits at NF_IP_PRI_FILTER (0), after conntrack (-200),
 * mangle (-150) and destination NAT (-100), before security (50) and source NAT (100). Generations
 * alternate between 0 and 1 (two BPF links cannot share a pf/hook/priority); both keep filter's
 * place relative to every other table.
 */
public final class Enforcer implements AutoCloseable {
  public static final int[] PRIORITIES = {0, 1};

  private final Bpf bpf;
  private final FilterCompiler compiler;
  private Generation live;
  private long generations;
  private Pins pins;
  private RouteMirror routes;
  private final TargetLayout targetLayout;
  private TargetChannel channel;
  private ReplySocket replies;

  /** The namespace's xt_recent tables, kept across installs as the kernel keeps them. */
  private RecentMaps recent;

  /**
   * Whether this process knows the namespace's conntrack holder to be there (TRUE), absent (FALSE),
   * or does not know (null: an adopted generation may rely on it).
   */
  private Boolean conntrackHeld;

  private Enforcer(Bpf bpf, KernelLayout layout, TargetLayout targetLayout) {
    this.bpf = bpf;
    this.compiler = new FilterCompiler(layout);
    this.targetLayout = targetLayout;
    this.recent = new RecentMaps(bpf, null);
  }

  /**
   * Opens bpf() and reads the kernel's layout from its BTF; throws, saying why in one line, where
   * enforcement cannot run (no bpf(), no BTF, a kernel before 6.4, missing capabilities).
   */
  public static Enforcer open() throws EnforcementUnavailable {
    Bpf bpf;
    KernelLayout layout;
    TargetLayout targetLayout;
    try {
      bpf = Bpf.open();
    } catch (Exception | LinkageError e) {
      throw new EnforcementUnavailable("cannot call bpf(): " + e.getMessage());
    }
    try {
      Btf btf = Btf.vmlinux();
      layout = KernelLayout.from(btf);
      targetLayout = targetLayout(btf);
    } catch (java.io.IOException e) {
      throw new EnforcementUnavailable(
          "no kernel BTF at " + Btf.VMLINUX + " (CONFIG_DEBUG_INFO_BTF): " + e.getMessage());
    } catch (Refusal r) {
      throw new EnforcementUnavailable(
          "this kernel lacks what netfilter BPF programs need (6.4+): " + r.getMessage());
    }
    try (Fd probe = bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, 8, 1, "bpfilter_probe")) {
      probe.value();
    } catch (BpfException e) {
      throw new EnforcementUnavailable(
          "bpf() refused (needs CAP_BPF and CAP_NET_ADMIN): " + e.getMessage());
    }
    return new Enforcer(bpf, layout, targetLayout);
  }

  /** REJECT and LOG need these offsets; without them such rules are refused at compile. */
  private static TargetLayout targetLayout(Btf btf) {
    try {
      return TargetLayout.from(btf);
    } catch (Refusal r) {
      return null;
    }
  }

  public Bpf bpf() {
    return bpf;
  }

  /**
   * Pins every generation from now on under {@code bpffs} (mounted there if it is not), in the
   * directory of the calling thread's network namespace, and adopts the generation a previous
   * process left there. Returns true when it adopted one.
   */
  public boolean pinUnder(Path bpffs) throws IOException, BpfException {
    BpfFs.ensureMounted(bpf, bpffs);
    pins = new Pins(bpf, Pins.dirFor(bpffs, BpfFs.netnsId()));
    if (channel == null) {
      channel = TargetChannel.pinned(bpf, pins.dir()).orElse(null);
    }
    Optional<Generation> found = pins.adopt();
    recent.close();
    recent = RecentMaps.adopt(bpf, pins.dir());
    if (found.isPresent()) {
      if (live != null) {
        live.close();
      }
      live = found.get();
      generations = Math.max(generations, live.number());
    }
    return found.isPresent();
  }

  public Optional<Pins> pins() {
    return Optional.ofNullable(pins);
  }

  public Optional<Generation> live() {
    return Optional.ofNullable(live);
  }

  /** Refuses a table the compiler cannot express, without touching anything. */
  public void check(FilterTable table) throws Refusal {
    FilterCompiler.check(table);
  }

  /**
   * Installs {@code table} and returns the previous generation's counters (empty when there was
   * none). On any failure the live generation stays as it was.
   */
  public List<XtCounters> install(FilterTable table) throws Refusal, BpfException {
    Fd map =
        bpf.mapCreate(
            Bpf.MAP_TYPE_PERCPU_ARRAY,
            4,
            CompiledTable.COUNTER_SIZE,
            Math.max(1, table.size()),
            "bpfilter_ctrs");
    Map<Integer, Fd> progs = new LinkedHashMap<>();
    Generation next = null;
    boolean conntrack = FilterCompiler.usesConntrack(table);
    Boolean heldBefore = conntrackHeld;
    try {
      if (conntrack && !Boolean.TRUE.equals(conntrackHeld)) {
        ConntrackHold.hold(); // before the programs attach: their first packets are tracked
        conntrackHeld = true;
      }
      CompiledTable compiled = compiler.compile(table, map.value(), targets(), recent.live());
      if (AddrtypeMatch.uses(table) && routes == null) {
        routes = RouteMirror.open(bpf, System.err);
      }
      List<Fd> recentMaps = recent.open(compiled.recent());
      progs.putAll(
          ProgramLoader.load(
              bpf, compiled, "bpfilter_h", routes == null ? null : routes.map(), recentMaps));
      int priority =
          live == null || live.priority() != PRIORITIES[0] ? PRIORITIES[0] : PRIORITIES[1];
      next = new Generation(bpf, ++generations, priority, map, compiled, progs);
      next.attach();
      if (pins != null) {
        pins.pin(next);
      }
      recent.commit(compiled.recent());
    } catch (IOException e) {
      recent.abort();
      if (next == null) {
        progs.values().forEach(Fd::close);
        map.close();
        throw new BpfException("local routes: " + e.getMessage(), 5 /* EIO */);
      }
      next.close();
      throw new BpfException("pin under " + pins.dir() + ": " + e.getMessage(), 5 /* EIO */);
    } catch (Refusal | BpfException | RuntimeException e) {
      recent.abort();
      if (next != null) {
        next.close();
      } else {
        progs.values().forEach(Fd::close);
        map.close();
      }
      if (Boolean.FALSE.equals(heldBefore) && Boolean.TRUE.equals(conntrackHeld)) {
        releaseConntrack(); // taken for this table alone; the live one does not need it
      }
      throw e;
    }
    Generation old = live;
    live = next;
    if (old == null) {
      if (!conntrack) {
        releaseConntrack();
      }
      return List.of();
    }
    old.unhook();
    if (!conntrack) {
      releaseConntrack(); // after the old generation, which may have needed it, is detached
    }
    try {
      if (pins != null) {
        pins.unpin(old.number());
      }
      return old.isAdopted() ? List.of() : old.counters();
    } catch (IOException e) {
      throw new BpfException("unpin under " + pins.dir() + ": " + e.getMessage(), 5 /* EIO */);
    } finally {
      old.close();
    }
  }

  /**
   * The ring buffer REJECT and LOG rules report through: the one pinned here (adopted), else a new
   * one, pinned with the generations. Null where the kernel lacks what they read.
   */
  private TargetMaps targets() throws BpfException {
    if (targetLayout == null) {
      return null;
    }
    if (channel == null) {
      channel = TargetChannel.create(bpf);
    }
    if (pins != null) {
      try {
        Files.createDirectories(pins.dir());
      } catch (IOException e) {
        throw new BpfException("pin under " + pins.dir() + ": " + e.getMessage(), 5 /* EIO */);
      }
      channel.pin(pins.dir());
    }
    return channel.maps(targetLayout);
  }

  /**
   * Starts completing REJECT and LOG: a thread reads what the programs report, sends REJECT's
   * replies from a raw socket opened here (in the calling thread's network namespace; its cookie
   * goes to the reply map, so the LOCAL_OUT programs give its replies the kernel's conntrack) and
   * writes LOG's lines to {@code log}. Problems are told to {@code log}; enforcement goes on
   * without them.
   */
  public void listen(Consumer<String> log) {
    try {
      if (targets() == null) {
        log.accept("umh: this kernel's BTF lacks what REJECT and LOG read; they are refused");
        return;
      }
      ReplySocket socket = null;
      try {
        socket = ReplySocket.open(bpf, channel.replyMap());
      } catch (BpfException e) {
        log.accept("umh: REJECT sends no replies: " + e.getMessage());
      }
      replies = socket;
      channel.start(new TargetActions(socket, defaultTtl(), log, System::nanoTime), log);
    } catch (BpfException e) {
      log.accept("umh: REJECT and LOG not completed: " + e.getMessage());
    }
  }

  /**
   * The namespace's net.ipv4.ip_default_ttl (what the kernel's own replies carry), in one read: a
   * sysctl file answers a read at a later offset with EOF, so a reader that reads a byte at a time
   * (Files.readString on a file of size 0) gets only the first digit.
   */
  private static int defaultTtl() {
    try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_default_ttl"))) {
      byte[] b = new byte[32];
      int n = in.read(b);
      return Integer.parseInt(new String(b, 0, Math.max(0, n), StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      return 64;
    }
  }

  /** The ring buffer and its lost-record counter, once a table or a listener needed them. */
  public Optional<TargetChannel> targetChannel() {
    return Optional.ofNullable(channel);
  }

  /**
   * Stops enforcing for good (unload, enforce off): removes the pins, then detaches the live
   * generation.
   */
  public void stop() throws IOException {
    if (pins != null) {
      pins.unpinAll();
    }
    if (live != null) {
      live.unhook(); // now, not once the kernel frees the unpinned links
    }
    close();
    try {
      ConntrackHold.release();
      conntrackHeld = false;
    } catch (BpfException e) {
      throw new IOException("remove the conntrack holder: " + e.getMessage(), e);
    }
  }

  /** Whether this namespace's conntrack holder is there (status, tests). */
  public static boolean conntrackHeld() throws BpfException {
    return ConntrackHold.held();
  }

  /** Drops the conntrack holder unless this process knows it is absent; failures are ignored. */
  private void releaseConntrack() {
    if (Boolean.FALSE.equals(conntrackHeld)) {
      return;
    }
    try {
      ConntrackHold.release();
      conntrackHeld = false;
    } catch (BpfException e) {
      // Left in place: conntrack keeps running, which changes no verdict of a table without
      // conntrack matches; the next install or stop tries again.
    }
  }

  /**
   * Lets go of the live generation's fds. Unpinned, it detaches; pinned, it goes on filtering until
   * a later process adopts it or {@link #stop()} removes it.
   */
  @Override
  public void close() {
    if (live != null) {
      live.close();
      live = null;
    }
    if (routes != null) {
      routes.close(); // a pinned generation's addrtype matches keep the last mirrored table
      routes = null;
    }
    if (channel != null) {
      channel.close();
      channel = null;
    }
    if (replies != null) {
      replies.close();
      replies = null;
    }
    recent.close();
  }
}

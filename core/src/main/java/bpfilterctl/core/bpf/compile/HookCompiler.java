package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.Verdict;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One hook's program: ipt_do_table for that hook, unrolled. The entries reachable from the hook are
 * walked in order, each compiled to tests that jump to the next entry on a mismatch. A jump to a
 * user chain (any jump target) becomes a BPF-to-BPF call of a function that walks from that entry
 * and returns DROP (0), ACCEPT (1) or CONTINUE (2, the chain's RETURN); ip_tables' jump stack is
 * the BPF call stack. A goto is a call whose CONTINUE is the caller's own RETURN. RETURN at the top
 * level goes to the hook's underflow (its policy entry), as ipt_do_table does.
 */
final class HookCompiler {
  static final int CONTINUE = 2;

  /** MAX_CALL_FRAMES: the main frame and seven nested chains. */
  static final int MAX_DEPTH = 7;

  /** BPF_MAX_SUBPROGS. */
  static final int MAX_FUNCTIONS = 256;

  private static final int HELPER_MAP_LOOKUP_ELEM = 1;

  /** The lookup key, through r9 (the main frame's stack in every function). */
  private static final int KEY = PacketSummary.LOOKUP_KEY;

  private final FilterTable table;
  private final int hook;
  private final int mapFd;
  private final Emitter e = new Emitter();
  private final Map<Integer, Label> functions = new HashMap<>();
  private final Map<Integer, Integer> depth = new HashMap<>();
  private final Deque<Integer> pending = new ArrayDeque<>();
  private final LookupGroups groups;

  private final boolean eager;
  private int pendingBranches;
  private MatchContext context;
  private TargetMaps targets;
  private RecentTables recent = RecentTables.NONE;

  HookCompiler(FilterTable table, int hook, int mapFd, LookupGroups groups, boolean eager) {
    this.table = table;
    this.hook = hook;
    this.mapFd = mapFd;
    this.groups = groups;
    this.eager = eager;
  }

  /** The maps REJECT and LOG rules report through; without them such rules are refused. */
  private HookCompiler reportingTo(TargetMaps maps) {
    this.targets = maps;
    return this;
  }

  /** The xt_recent tables the table's recent matches use. */
  private HookCompiler recentIn(RecentTables tables) {
    this.recent = tables;
    return this;
  }

  /**
   * The hook's program with eager tests (each jumps out as soon as it fails) when that leaves at
   * most {@code eagerLimit} branches of entries (all but each entry's last) for the verifier to
   * hold, else with accumulated tests (one jump per entry).
   */
  static List<Insn> compile(
      FilterTable table,
      int hook,
      int mapFd,
      LookupGroups groups,
      KernelLayout k,
      int eagerLimit,
      TargetMaps targets,
      RecentTables recent)
      throws Refusal {
    HookCompiler eager =
        new HookCompiler(table, hook, mapFd, groups, true).reportingTo(targets).recentIn(recent);
    List<Insn> p = eager.compile(k);
    if (eager.pendingBranches <= eagerLimit) {
      return p;
    }
    return new HookCompiler(table, hook, mapFd, groups, false)
        .reportingTo(targets)
        .recentIn(recent)
        .compile(k);
  }

  List<Insn> compile(KernelLayout k) throws Refusal {
    if (depthOf(table.hookEntry(hook), 0) > MAX_DEPTH) {
      throw new Refusal("user chains nested deeper than " + MAX_DEPTH + " (BPF call depth)");
    }
    RecentEviction eviction = new RecentEviction(e);
    if (eviction.neededBy(table) && depthOf(table.hookEntry(hook), 0) == MAX_DEPTH) {
      throw new Refusal(
          "recent --set or --reap in chains nested "
              + MAX_DEPTH
              + " deep (its eviction needs a call frame)");
    }
    SummaryReads reads = SummaryReads.of(table, hook);
    context = new MatchContext(k, LimitBuckets.of(table, k.hz()), reads, recent, eviction, hook);
    PacketSummary.emitPrologue(e, k, reads);
    if (ReplyConntrack.used(table, hook, targets)) {
      ReplyConntrack.emit(e, targets);
    }
    if (reads.has(SummaryReads.Part.TCP_OPTIONS)) {
      TcpOptionScan.emit(e);
    }
    Function main = new Function(true);
    main.walk(table.hookEntry(hook));
    main.sharedBlocks();
    main.finishUnderflow();
    while (!pending.isEmpty()) {
      int start = pending.poll();
      e.bind(functions.get(start));
      e.movReg(R9, R1);
      Function f = new Function(false);
      f.walk(start);
      f.sharedBlocks();
    }
    eviction.emitIfUsed();
    return e.finish();
  }

  /** How deep the calls from this entry's walk nest (0: no calls). Refuses beyond the limit. */
  private int depthOf(int start, int seen) throws Refusal {
    Integer known = depth.get(start);
    if (known != null) {
      return known;
    }
    if (seen > MAX_DEPTH) {
      throw new Refusal("user chains nested deeper than " + MAX_DEPTH + " (BPF call depth)");
    }
    int d = 0;
    for (int i = start; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      if (en.target().isStandard() && Verdict.isJump(en.target().verdict())) {
        int t = table.indexAt(en.target().verdict());
        if (t != i + 1) {
          d = Math.max(d, 1 + depthOf(t, seen + 1));
        }
      }
      if (EntryTests.alwaysMatches(en) && !goesOn(table, en, i)) {
        break;
      }
    }
    if (d > MAX_DEPTH) {
      throw new Refusal("user chains nested deeper than " + MAX_DEPTH + " (BPF call depth)");
    }
    depth.put(start, d);
    return d;
  }

  /** Entry {@code index} of {@code table}: its action, once it matched, goes on with the next. */
  static boolean goesOn(FilterTable table, IptEntry en, int index) {
    if (!en.target().isStandard()) {
      return TargetReport.handles(en.target()) && !TargetReport.terminal(en.target()); // LOG
    }
    int v = en.target().verdict();
    if (!Verdict.isJump(v)) {
      return false;
    }
    return table.indexAt(v) == index + 1 || (en.ip().flags() & IptIp.F_GOTO) == 0;
  }

  private Label function(int start) throws Refusal {
    Label l = functions.get(start);
    if (l == null) {
      if (functions.size() + 1 >= MAX_FUNCTIONS) {
        throw new Refusal("more than " + (MAX_FUNCTIONS - 1) + " jump targets in one hook");
      }
      l = e.label("chain@" + start);
      functions.put(start, l);
      pending.add(start);
    }
    return l;
  }

  /** The code of one walk: the main program or one chain function. */
  private final class Function {
    private final boolean main;
    private final Map<Integer, Label> entryLabels = new HashMap<>();
    private final Label countDrop = e.label("count_drop");
    private final Label countAccept = e.label("count_accept");
    private final Label countReturn = e.label("count_return");
    private boolean usedDrop;
    private boolean usedAccept;
    private boolean usedReturn;
    private final Label underflow = e.label("underflow");
    private boolean usedUnderflow;

    Function(boolean main) {
      this.main = main;
    }

    /** Compiles entries from {@code start} until one that always matches and never goes on. */
    void walk(int start) throws Refusal {
      for (int i = start; i < table.size(); i++) {
        if (entryLabels.containsKey(i)) {
          e.ja(entryLabels.get(i));
          return;
        }
        Label here = e.label("entry" + i);
        e.bind(here);
        entryLabels.put(i, here);
        var run = groups.runAt(i);
        if (run.isPresent()) {
          lookup(run.get());
          i = run.get().end() - 1; // no entry inside a run is a target (LookupGroups)
        } else if (entry(i)) {
          return;
        }
      }
      e.mov(R0, 0).exit(); // past the last entry: translate_table never lets a walk get here
    }

    /** One entry; true when nothing after it in this walk can be reached. */
    private boolean entry(int i) throws Refusal {
      IptEntry en = table.entry(i);
      Label next = e.label("next" + i);
      EntryTests tests = new EntryTests(e, next, eager).at(context, i);
      boolean matches = tests.emit(en);
      pendingBranches += Math.max(0, tests.branches() - 1);
      if (!matches) {
        e.bind(next); // never matches: no action
        return false;
      }
      boolean always = !tests.anyJump();
      boolean goesOn = action(en, i);
      tests.emitStubs(goesOn);
      e.bind(next);
      return always && !goesOn;
    }

    /**
     * A run of entries as one lookup of the packet's key: a hit counts the entry found and takes
     * its verdict; a miss goes on after the run, unless a transport match would hotdrop.
     */
    private void lookup(LookupGroups.Run run) {
      LookupGroups.Shape s = run.shape();
      Label miss = e.label("miss" + run.start());
      Label next = e.label("after_run" + run.start());
      buildKey(run.group(), s);
      lookupKey();
      e.jmp(Insn.JEQ, R0, 0, miss);
      e.ldx(Insn.W, R1, R0, 0).ldx(Insn.W, R2, R0, 4);
      Label drop = e.label("run_drop");
      e.jmp(Insn.JEQ, R2, 0, drop);
      if (s.hasTransport()) {
        // a hotdrop key (the packet's ports happened to be zero, as its key has them)
        e.emit(jne(R2, LookupGroups.VERDICT_HOTDROP, 2)).mov(R0, 0).exit();
      }
      usedAccept = true;
      e.ja(countAccept);
      e.bind(drop);
      e.ja(sharedDrop());
      e.bind(miss);
      if (s.hasTransport()) {
        // The first entry whose ipt_ip tests pass hotdrops an unreadable header: its address key
        // with the hotdrop status and no ports.
        e.ldx(Insn.W, R1, R9, PacketSummary.L4P);
        e.jmp32(Insn.JNE, R1, (PacketSummary.STATUS_HOTDROP << 8) | s.transport(), next);
        e.st(Insn.W, R9, KEY + 16, 0).st(Insn.W, R9, KEY + 20, 0);
        lookupKey();
        e.jmp(Insn.JEQ, R0, 0, next);
        e.mov(R0, 0).exit();
      }
      e.bind(next);
    }

    /**
     * The key: group, masked addresses, protocol (L4P with a transport match), ports, as tested.
     */
    private void buildKey(int group, LookupGroups.Shape s) {
      e.st(Insn.DW, R9, KEY, 0).st(Insn.DW, R9, KEY + 8, 0).st(Insn.DW, R9, KEY + 16, 0);
      e.st(Insn.W, R9, KEY, group);
      field(s.smsk() != 0, PacketSummary.SADDR, s.smsk(), KEY + 4);
      field(s.dmsk() != 0, PacketSummary.DADDR, s.dmsk(), KEY + 8);
      field(
          s.protoTested(),
          s.hasTransport() ? PacketSummary.L4P : PacketSummary.PROTO,
          -1,
          KEY + 12);
      field(s.sport(), PacketSummary.SPORT, -1, KEY + 16);
      field(s.dport(), PacketSummary.DPORT, -1, KEY + 20);
    }

    private void field(boolean tested, int slot, int mask, int at) {
      if (!tested) {
        return;
      }
      e.ldx(Insn.W, R1, R9, slot);
      if (mask != -1) {
        e.alu32(Insn.AND, R1, Integer.reverseBytes(mask)); // addresses are in network order
      }
      e.stx(Insn.W, R9, at, R1);
    }

    private void lookupKey() {
      e.ldMapIdx(R1, CompiledTable.LOOKUP_MAP_INDEX);
      e.movReg(R2, R9).alu(Insn.ADD, R2, KEY);
      e.callHelper(HELPER_MAP_LOOKUP_ELEM);
    }

    /** The matched entry's counter and target. True when the walk continues after it. */
    private boolean action(IptEntry en, int i) throws Refusal {
      if (TargetReport.handles(en.target())) {
        if (targets == null) {
          throw new Refusal("target " + en.target().name() + " without its ring buffer");
        }
        countInline(i);
        TargetReport.emit(e, targets, context.reads(), hook, i, en.target());
        if (TargetReport.terminal(en.target())) {
          e.mov(R0, 0).exit(); // REJECT: the umh replies, the packet is dropped
          return false;
        }
        return true; // LOG
      }
      if (!en.target().isStandard()) {
        toShared(i, sharedDrop()); // ERROR: ipt_error drops
        return false;
      }
      int v = en.target().verdict();
      if (v == Verdict.DROP) {
        toShared(i, sharedDrop());
        return false;
      }
      if (v == Verdict.ACCEPT) {
        usedAccept = true;
        toShared(i, countAccept);
        return false;
      }
      if (v == Verdict.RETURN) {
        usedReturn = true;
        toShared(i, countReturn);
        return false;
      }
      if (!Verdict.isJump(v)) {
        throw new Refusal("verdict " + v + " (only ACCEPT, DROP, RETURN and jumps)");
      }
      int target = table.indexAt(v);
      countInline(i);
      if (target == i + 1) {
        return true;
      }
      Label fn = function(target);
      e.movReg(R1, R9).call(fn);
      if ((en.ip().flags() & IptIp.F_GOTO) != 0) {
        if (main) {
          e.emit(jne(R0, CONTINUE, 1)).ja(underflowLabel()).exit();
        } else {
          e.exit();
        }
        return false;
      }
      e.emit(jeq(R0, CONTINUE, 1)).exit();
      return true;
    }

    private Label sharedDrop() {
      usedDrop = true;
      return countDrop;
    }

    private void toShared(int index, Label block) {
      e.mov(R1, index).ja(block);
    }

    /** RETURN at the top level: the hook's underflow entry (its policy). */
    Label underflowLabel() {
      usedUnderflow = true;
      return underflow;
    }

    /** Binds the underflow label: to the policy's code, compiled here if the walk missed it. */
    void finishUnderflow() throws Refusal {
      if (!usedUnderflow) {
        return;
      }
      int u = table.underflow(hook);
      Label known = entryLabels.get(u);
      if (known != null) {
        e.alias(underflow, known);
      } else {
        e.bind(underflow); // after a walk's last jump or exit: reached only through the label
        walk(u);
        sharedBlocks();
      }
    }

    /** The counting blocks rules jump to, each emitted once and only if some rule uses it. */
    void sharedBlocks() {
      if (usedDrop && !countDrop.isBound()) {
        e.bind(countDrop);
        count(() -> e.stx(Insn.W, R10, PacketSummary.KEY, R1));
        e.mov(R0, 0).exit();
      }
      if (usedAccept && !countAccept.isBound()) {
        e.bind(countAccept);
        count(() -> e.stx(Insn.W, R10, PacketSummary.KEY, R1));
        e.mov(R0, 1).exit();
      }
      if (usedReturn && !countReturn.isBound()) {
        e.bind(countReturn);
        count(() -> e.stx(Insn.W, R10, PacketSummary.KEY, R1));
        if (main) {
          e.ja(underflowLabel());
        } else {
          e.mov(R0, CONTINUE).exit();
        }
      }
    }

    private void countInline(int index) {
      count(() -> e.st(Insn.W, R10, PacketSummary.KEY, index));
    }

    /** ADD_COUNTER(counter, skb->len, 1) on this CPU's slot of the entry's counter. */
    private void count(Runnable storeKey) {
      storeKey.run();
      e.ldMapFd(R1, mapFd);
      e.movReg(R2, R10).alu(Insn.ADD, R2, PacketSummary.KEY);
      e.callHelper(HELPER_MAP_LOOKUP_ELEM);
      e.emit(jeq(R0, 0, 7));
      e.ldx(Insn.DW, R1, R0, 0).alu(Insn.ADD, R1, 1).stx(Insn.DW, R0, 0, R1);
      e.ldx(Insn.W, R2, R9, PacketSummary.LEN);
      e.ldx(Insn.DW, R1, R0, 8).aluReg(Insn.ADD, R1, R2).stx(Insn.DW, R0, 8, R1);
    }
  }

  private static Insn jeq(int reg, int imm, int skip) {
    return new Insn(Insn.JMP | Insn.JEQ | Insn.K, reg, 0, skip, imm);
  }

  private static Insn jne(int reg, int imm, int skip) {
    return new Insn(Insn.JMP | Insn.JNE | Insn.K, reg, 0, skip, imm);
  }
}

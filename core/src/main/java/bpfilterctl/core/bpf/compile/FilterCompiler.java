package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an accepted filter table into its BPF programs, or refuses it, naming what it cannot
 * compile: matches other than tcp, udp, udplite, icmp, multiport, iprange, mark, comment, length,
 * ttl, tos, dscp, pkttype, limit, owner (without --suppl-groups), addrtype, conntrack (--ctstate,
 * --ctstatus, --ctdir), state and recent, each at the revisions CompiledMatches lists; targets
 * other than the standard ones (ACCEPT, DROP, RETURN, jumps, gotos), REJECT and LOG; QUEUE; chains
 * nested beyond the BPF call depth.
 */
public final class FilterCompiler {
  /**
   * Runs of this many rules of one shape or more become one hash lookup: about the cost of that
   * many linear rules.
   */
  public static final int DEFAULT_MIN_RUN = 16;

  /**
   * The most branches (each entry's but its last) a hook may leave pending for the verifier with
   * eager tests. The verifier stops at 8,192 pending jumps; linear tables of 3-branch rules
   * verified up to 8,000 rules (16,000 by this count) and failed at 10,000: this keeps a wide
   * margin. Beyond it entries are compiled with one jump each.
   */
  public static final int DEFAULT_EAGER_LIMIT = 6000;

  private final KernelLayout kernel;
  private final int minRun;
  private final int eagerLimit;
  private final RecentParams recentParams;

  public FilterCompiler(KernelLayout kernel) {
    this(kernel, DEFAULT_MIN_RUN, DEFAULT_EAGER_LIMIT);
  }

  /** {@code minRun}: the shortest run compiled as a lookup; 0 compiles every rule linearly. */
  public FilterCompiler(KernelLayout kernel, int minRun) {
    this(kernel, minRun, DEFAULT_EAGER_LIMIT);
  }

  /**
   * {@code eagerLimit}: see {@link #DEFAULT_EAGER_LIMIT}; -1 compiles every entry with one jump.
   */
  public FilterCompiler(KernelLayout kernel, int minRun, int eagerLimit) {
    this.kernel = kernel;
    this.minRun = minRun;
    this.eagerLimit = eagerLimit;
    this.recentParams = RecentParams.running();
  }

  /** True for the match names the compiler knows (each at one revision: CompiledMatches). */
  public static boolean compilesMatch(String name) {
    return CompiledMatches.REVISIONS.containsKey(name);
  }

  /** True when the compiler turns this revision of the match into BPF. */
  public static boolean compilesMatch(String name, int revision) {
    return CompiledMatches.compiles(name, revision);
  }

  /**
   * True when the table has a conntrack or state match: its programs read conntrack's verdict, so
   * conntrack must run in the namespace (see ConntrackHold).
   */
  public static boolean usesConntrack(FilterTable table) {
    return ConntrackTests.usedBy(table);
  }

  /** True for the target names the compiler knows: the standard target, ERROR, REJECT and LOG. */
  public static boolean compilesTarget(String name) {
    return name.isEmpty()
        || name.equals("ERROR")
        || name.equals("standard")
        || name.equals("REJECT")
        || name.equals("LOG");
  }

  /** Refuses a table that uses anything this compiler cannot express; does nothing otherwise. */
  public static void check(FilterTable table) throws Refusal {
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      for (XtEntryMatch m : en.matches()) {
        if (!EntryTests.supported(m)) {
          throw Refusal.extension("match " + m.name() + " (revision " + m.revision() + ")");
        }
        if (m.name().equals("owner")) {
          OwnerMatch.check(bpfilterctl.core.uapi.Abi.wrap(m.data()));
        }
        ConntrackTests.check(m);
        if (m.name().equals("recent")) {
          RecentTables.check(bpfilterctl.core.uapi.Abi.wrap(m.data()));
        }
      }
      if (en.target().isStandard()) {
        int v = en.target().verdict();
        if (!Verdict.isJump(v) && v != Verdict.ACCEPT && v != Verdict.DROP && v != Verdict.RETURN) {
          throw Refusal.extension("target QUEUE");
        }
      } else if (!en.target().isError() && !TargetReport.handles(en.target())) {
        throw Refusal.extension("target " + en.target().name());
      }
    }
  }

  /**
   * Compiles every filter hook of {@code table}. The programs load the counters map by fd ({@code
   * countersMapFd}), which must have {@code table.size()} slots, and the lookup map as fd_array
   * index {@link CompiledTable#LOOKUP_MAP_INDEX}.
   */
  public CompiledTable compile(FilterTable table, int countersMapFd) throws Refusal {
    return compile(table, countersMapFd, null);
  }

  /**
   * As {@link #compile(FilterTable, int)}, with REJECT and LOG rules reporting through {@code
   * targets} (null: such rules are refused).
   */
  public CompiledTable compile(FilterTable table, int countersMapFd, TargetMaps targets)
      throws Refusal {
    return compile(table, countersMapFd, targets, Map.of());
  }

  /**
   * As {@link #compile(FilterTable, int, TargetMaps)}, with the namespace's xt_recent tables that
   * the installed generation uses ({@code liveRecent}, by name): those the table names too live on.
   */
  public CompiledTable compile(
      FilterTable table,
      int countersMapFd,
      TargetMaps targets,
      Map<String, RecentTables.Live> liveRecent)
      throws Refusal {
    check(table);
    RecentTables recent = RecentTables.of(table, liveRecent, recentParams, kernel.hz());
    if (kernel.conntrack().isEmpty() && ConntrackTests.usedBy(table)) {
      throw new Refusal("conntrack: this kernel's BTF has no sk_buff._nfct or struct nf_conn");
    }
    LookupGroups groups = new LookupGroups(table, minRun);
    Map<Integer, List<Insn>> programs = new LinkedHashMap<>();
    for (int hook : CompiledTable.HOOKS) {
      if (table.hasHook(hook)) {
        programs.put(
            hook,
            HookCompiler.compile(
                table, hook, countersMapFd, groups, kernel, eagerLimit, targets, recent));
      }
    }
    return new CompiledTable(
        programs, table.size(), groups.lookups(), LimitBuckets.of(table, kernel.hz()), recent);
  }
}

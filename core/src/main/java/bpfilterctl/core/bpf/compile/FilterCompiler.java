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
 * compile: matches other than tcp (without --tcp-option), udp, udplite and icmp; targets other than
 * the standard ones (ACCEPT, DROP, RETURN, jumps, gotos); QUEUE; chains nested beyond the BPF call
 * depth.
 */
public final class FilterCompiler {
  private final KernelLayout kernel;

  public FilterCompiler(KernelLayout kernel) {
    this.kernel = kernel;
  }

  /** True for the match names the compiler knows (any revision it accepts is 0). */
  public static boolean compilesMatch(String name) {
    return switch (name) {
      case "tcp", "udp", "udplite", "icmp" -> true;
      default -> false;
    };
  }

  /** True for the target names the compiler knows: the standard target and ERROR. */
  public static boolean compilesTarget(String name) {
    return name.isEmpty() || name.equals("ERROR") || name.equals("standard");
  }

  /** Refuses a table that uses anything this compiler cannot express; does nothing otherwise. */
  public static void check(FilterTable table) throws Refusal {
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      for (XtEntryMatch m : en.matches()) {
        if (!EntryTests.supported(m)) {
          throw Refusal.extension("match " + m.name() + " (revision " + m.revision() + ")");
        }
      }
      if (en.target().isStandard()) {
        int v = en.target().verdict();
        if (!Verdict.isJump(v) && v != Verdict.ACCEPT && v != Verdict.DROP && v != Verdict.RETURN) {
          throw Refusal.extension("target QUEUE");
        }
      } else if (!en.target().isError()) {
        throw Refusal.extension("target " + en.target().name());
      }
    }
  }

  /**
   * Compiles every filter hook of {@code table}. The programs load the counters map by fd ({@code
   * countersMapFd}), which must have {@code table.size()} slots.
   */
  public CompiledTable compile(FilterTable table, int countersMapFd) throws Refusal {
    check(table);
    boolean readDevices = false;
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      readDevices |= nonZero(en.ip().inifaceMask()) || nonZero(en.ip().outifaceMask());
    }
    Map<Integer, List<Insn>> programs = new LinkedHashMap<>();
    for (int hook : CompiledTable.HOOKS) {
      if (table.hasHook(hook)) {
        programs.put(
            hook, new HookCompiler(table, hook, countersMapFd).compile(kernel, readDevices));
      }
    }
    return new CompiledTable(programs, table.size());
  }

  private static boolean nonZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return true;
      }
    }
    return false;
  }
}

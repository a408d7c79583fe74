package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.insn.Insn;
import java.util.List;
import java.util.Map;

/**
 * The programs of one filter table: one per hook it enforces (LOCAL_IN, FORWARD, LOCAL_OUT), all
 * counting into one per-CPU array of {@code counterSlots} entries ({u64 packets, u64 bytes}, slot =
 * entry index).
 */
public record CompiledTable(Map<Integer, List<Insn>> programs, int counterSlots) {
  /** The hooks ip_tables' filter table registers at (NF_INET_LOCAL_IN, FORWARD, LOCAL_OUT). */
  public static final List<Integer> HOOKS = List.of(1, 2, 3);

  /** A counter slot's value size: struct xt_counters. */
  public static final int COUNTER_SIZE = 16;

  public CompiledTable {
    programs = Map.copyOf(programs);
  }

  public int instructions() {
    return programs.values().stream().mapToInt(List::size).sum();
  }
}

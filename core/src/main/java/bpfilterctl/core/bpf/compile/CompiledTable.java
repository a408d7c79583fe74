package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.bpf.insn.Insn;
import java.util.List;
import java.util.Map;

/**
 * The programs of one filter table: one per hook it enforces (LOCAL_IN, FORWARD, LOCAL_OUT), all
 * counting into one per-CPU array of {@code counterSlots} entries ({u64 packets, u64 bytes}, slot =
 * entry index). Runs of rules decided by one hash lookup ({@code lookups}) read a hash map the
 * programs name as index {@link #LOOKUP_MAP_INDEX} of their fd_array; the loader creates it from
 * {@code lookups} when that holds any element. The token buckets of limit matches ({@code limits})
 * are index {@link LimitBuckets#MAP_INDEX}; the xt_recent tables of its recent matches ({@code
 * recent}) are indexes from {@link RecentTables#MAP_BASE} on.
 */
public record CompiledTable(
    Map<Integer, List<Insn>> programs,
    int counterSlots,
    Lookups lookups,
    LimitBuckets limits,
    RecentTables recent) {
  /** The hooks ip_tables' filter table registers at (NF_INET_LOCAL_IN, FORWARD, LOCAL_OUT). */
  public static final List<Integer> HOOKS = List.of(1, 2, 3);

  /** A counter slot's value size: struct xt_counters. */
  public static final int COUNTER_SIZE = 16;

  /** The lookup map's index in the fd_array of every program. */
  public static final int LOOKUP_MAP_INDEX = 0;

  /** The lookup map's elements: {@code count} keys and values, each packed back to back. */
  public record Lookups(byte[] keys, byte[] values, int count) {
    public static final int KEY_SIZE = LookupGroups.KEY_SIZE;
    public static final int VALUE_SIZE = LookupGroups.VALUE_SIZE;
  }

  public CompiledTable {
    programs = Map.copyOf(programs);
  }

  public int instructions() {
    return programs.values().stream().mapToInt(List::size).sum();
  }
}

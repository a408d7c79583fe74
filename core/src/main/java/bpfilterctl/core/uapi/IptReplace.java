package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * struct ipt_replace: a 96-byte header (name[32], valid_hooks, num_entries, size, hook_entry[5],
 * underflow[5], num_counters, u64 counters pointer) followed by {@code size} bytes of entries.
 * IPT_SO_SET_REPLACE's value. The counters pointer is an address in the caller; bpfilter returns
 * the old counters on the reply pipe instead.
 */
public record IptReplace(
    String name,
    int validHooks,
    int numEntries,
    int size,
    int[] hookEntry,
    int[] underflow,
    int numCounters,
    long countersPointer,
    byte[] entries) {
  public static final int HEADER_SIZE = 96;
  public static final int OFF_NAME = 0;
  public static final int OFF_VALID_HOOKS = 32;
  public static final int OFF_NUM_ENTRIES = 36;
  public static final int OFF_SIZE = 40;
  public static final int OFF_HOOK_ENTRY = 44;
  public static final int OFF_UNDERFLOW = 64;
  public static final int OFF_NUM_COUNTERS = 84;
  public static final int OFF_COUNTERS = 88;

  public IptReplace {
    hookEntry = Hooks.copy(hookEntry);
    underflow = Hooks.copy(underflow);
    entries = entries.clone();
  }

  /**
   * A replace of {@code table} by {@code entries}; hook offsets are byte offsets of entries (see
   * {@link IptEntries#offsets}), -1 for hooks not in {@code validHooks}. {@code numCounters} must
   * be the entry count of the table being replaced (GET_INFO's num_entries).
   */
  public static IptReplace of(
      String table,
      int validHooks,
      int[] hookEntry,
      int[] underflow,
      int numCounters,
      List<IptEntry> entries) {
    byte[] blob = IptEntries.encode(entries);
    return new IptReplace(
        table, validHooks, entries.size(), blob.length, hookEntry, underflow, numCounters, 0, blob);
  }

  @Override
  public int[] hookEntry() {
    return hookEntry.clone();
  }

  @Override
  public int[] underflow() {
    return underflow.clone();
  }

  @Override
  public byte[] entries() {
    return entries.clone();
  }

  /** Decodes the header, and takes whatever follows it (up to {@code size}) as the entries. */
  public static IptReplace decode(byte[] bytes) {
    if (bytes.length < HEADER_SIZE) {
      throw new IllegalArgumentException("ipt_replace needs " + HEADER_SIZE + " bytes");
    }
    ByteBuffer b = Abi.wrap(bytes);
    int size = b.getInt(OFF_SIZE);
    int have = bytes.length - HEADER_SIZE;
    int take = size >= 0 && size <= have ? size : have;
    return new IptReplace(
        FixedName.read(b, OFF_NAME, Abi.TABLE_NAME_LEN),
        b.getInt(OFF_VALID_HOOKS),
        b.getInt(OFF_NUM_ENTRIES),
        size,
        Hooks.read(b, OFF_HOOK_ENTRY),
        Hooks.read(b, OFF_UNDERFLOW),
        b.getInt(OFF_NUM_COUNTERS),
        b.getLong(OFF_COUNTERS),
        Arrays.copyOfRange(bytes, HEADER_SIZE, HEADER_SIZE + take));
  }

  public byte[] encode() {
    ByteBuffer b = Abi.allocate(HEADER_SIZE + entries.length);
    writeHeader(
        b, name, validHooks, numEntries, size, hookEntry, underflow, numCounters, countersPointer);
    b.put(HEADER_SIZE, entries);
    return b.array();
  }

  /**
   * The 96-byte header into a zeroed {@code b} at 0, as {@link #encode} writes it: for a writer
   * that puts the entries after it itself.
   */
  public static void writeHeader(
      ByteBuffer b,
      String name,
      int validHooks,
      int numEntries,
      int size,
      int[] hookEntry,
      int[] underflow,
      int numCounters,
      long countersPointer) {
    FixedName.write(b, OFF_NAME, name, Abi.TABLE_NAME_LEN);
    b.putInt(OFF_VALID_HOOKS, validHooks)
        .putInt(OFF_NUM_ENTRIES, numEntries)
        .putInt(OFF_SIZE, size);
    Hooks.write(b, OFF_HOOK_ENTRY, hookEntry);
    Hooks.write(b, OFF_UNDERFLOW, underflow);
    b.putInt(OFF_NUM_COUNTERS, numCounters).putLong(OFF_COUNTERS, countersPointer);
  }

  public List<IptEntry> entryList() {
    return IptEntries.decode(entries);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IptReplace x
        && name.equals(x.name)
        && validHooks == x.validHooks
        && numEntries == x.numEntries
        && size == x.size
        && Arrays.equals(hookEntry, x.hookEntry)
        && Arrays.equals(underflow, x.underflow)
        && numCounters == x.numCounters
        && countersPointer == x.countersPointer
        && Arrays.equals(entries, x.entries);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(entries);
  }
}

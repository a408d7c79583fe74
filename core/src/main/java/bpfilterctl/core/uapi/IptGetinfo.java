package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * struct ipt_getinfo, 84 bytes: IPT_SO_GET_INFO's buffer. In: the table name. Out: everything.
 * Hooks that the table lacks have 0xffffffff (-1) in hook_entry and underflow.
 */
public record IptGetinfo(
    String name, int validHooks, int[] hookEntry, int[] underflow, int numEntries, int size) {
  public static final int SIZE = 84;
  public static final int OFF_NAME = 0;
  public static final int OFF_VALID_HOOKS = 32;
  public static final int OFF_HOOK_ENTRY = 36;
  public static final int OFF_UNDERFLOW = 56;
  public static final int OFF_NUM_ENTRIES = 76;
  public static final int OFF_SIZE = 80;

  public IptGetinfo {
    hookEntry = Hooks.copy(hookEntry);
    underflow = Hooks.copy(underflow);
  }

  @Override
  public int[] hookEntry() {
    return hookEntry.clone();
  }

  @Override
  public int[] underflow() {
    return underflow.clone();
  }

  /** The request buffer for a table: its name, then zeros. */
  public static byte[] request(String table) {
    ByteBuffer b = Abi.allocate(SIZE);
    FixedName.write(b, OFF_NAME, table, Abi.TABLE_NAME_LEN);
    return b.array();
  }

  public static IptGetinfo decode(byte[] bytes) {
    if (bytes.length < SIZE) {
      throw new IllegalArgumentException("ipt_getinfo is " + SIZE + " bytes, got " + bytes.length);
    }
    ByteBuffer b = Abi.wrap(bytes);
    return new IptGetinfo(
        FixedName.read(b, OFF_NAME, Abi.TABLE_NAME_LEN),
        b.getInt(OFF_VALID_HOOKS),
        Hooks.read(b, OFF_HOOK_ENTRY),
        Hooks.read(b, OFF_UNDERFLOW),
        b.getInt(OFF_NUM_ENTRIES),
        b.getInt(OFF_SIZE));
  }

  public byte[] encode() {
    ByteBuffer b = Abi.allocate(SIZE);
    FixedName.write(b, OFF_NAME, name, Abi.TABLE_NAME_LEN);
    b.putInt(OFF_VALID_HOOKS, validHooks);
    Hooks.write(b, OFF_HOOK_ENTRY, hookEntry);
    Hooks.write(b, OFF_UNDERFLOW, underflow);
    b.putInt(OFF_NUM_ENTRIES, numEntries).putInt(OFF_SIZE, size);
    return b.array();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IptGetinfo x
        && name.equals(x.name)
        && validHooks == x.validHooks
        && Arrays.equals(hookEntry, x.hookEntry)
        && Arrays.equals(underflow, x.underflow)
        && numEntries == x.numEntries
        && size == x.size;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + size;
  }
}

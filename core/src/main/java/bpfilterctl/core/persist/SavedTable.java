package bpfilterctl.core.persist;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One committed table as the host keeps it: the ipt_replace blob the umh accepted, and the counters
 * added to its entries since (xt_counters, 16 bytes each, in entry order). Replaying both into a
 * fresh umh rebuilds the table.
 */
public record SavedTable(String name, byte[] replaceBlob, long[] counters) {
  static final int IPT_REPLACE_HEADER = 96;
  static final int NUM_ENTRIES_OFFSET = 36;
  static final int NUM_COUNTERS_OFFSET = 84;
  static final int COUNTERS_INFO_HEADER = 40;
  static final int SIZE_OFFSET = 40;

  /** sizeof(struct ipt_entry): no entry is smaller. */
  static final int MIN_ENTRY_BYTES = 112;

  /**
   * Whether an ipt_replace's counts fit its real size, as the kernel's translate_table finds when
   * it walks the entries: {@code size} is what follows the header, and {@code num_entries} entries
   * fit in it. Only such a blob is saved; any other goes to the umh unsaved, to be refused.
   */
  public static boolean plausible(byte[] replaceBlob) {
    if (replaceBlob.length < IPT_REPLACE_HEADER) {
      return false;
    }
    ByteBuffer b = ByteBuffer.wrap(replaceBlob).order(ByteOrder.LITTLE_ENDIAN);
    long entries = Integer.toUnsignedLong(b.getInt(NUM_ENTRIES_OFFSET));
    long size = Integer.toUnsignedLong(b.getInt(SIZE_OFFSET));
    return size == replaceBlob.length - IPT_REPLACE_HEADER
        && entries >= 1
        && entries * MIN_ENTRY_BYTES <= size;
  }

  /**
   * A table just replaced: its counters start at zero, as the kernel's do.
   *
   * @throws IllegalArgumentException when the blob is not {@link #plausible}
   */
  public static SavedTable replaced(byte[] replaceBlob) {
    if (!plausible(replaceBlob)) {
      throw new IllegalArgumentException("ipt_replace counts do not fit its size");
    }
    ByteBuffer b = ByteBuffer.wrap(replaceBlob).order(ByteOrder.LITTLE_ENDIAN);
    int entries = b.getInt(NUM_ENTRIES_OFFSET);
    return new SavedTable(tableName(replaceBlob), replaceBlob, new long[entries * 2]);
  }

  /** The table name at the start of an ipt_replace or xt_counters_info. */
  public static String tableName(byte[] payload) {
    int end = 0;
    while (end < 32 && end < payload.length && payload[end] != 0) {
      end++;
    }
    return new String(payload, 0, end, StandardCharsets.US_ASCII);
  }

  public int entries() {
    return counters.length / 2;
  }

  /**
   * These counters plus an accepted SET_ADD_COUNTERS payload (xt_counters_info); the caller checked
   * that the umh accepted it, so its count matches.
   */
  public SavedTable plus(byte[] countersInfo) {
    ByteBuffer b = ByteBuffer.wrap(countersInfo).order(ByteOrder.LITTLE_ENDIAN);
    long[] sum = Arrays.copyOf(counters, counters.length);
    int n = Math.min(entries(), (countersInfo.length - COUNTERS_INFO_HEADER) / 16);
    for (int i = 0; i < n; i++) {
      sum[2 * i] += b.getLong(COUNTERS_INFO_HEADER + 16 * i);
      sum[2 * i + 1] += b.getLong(COUNTERS_INFO_HEADER + 16 * i + 8);
    }
    return new SavedTable(name, replaceBlob, sum);
  }

  /** The SET_REPLACE payload that rebuilds it over a table of {@code currentEntries} entries. */
  public byte[] replayReplace(int currentEntries) {
    byte[] b = Arrays.copyOf(replaceBlob, replaceBlob.length);
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    bb.putInt(NUM_COUNTERS_OFFSET, currentEntries);
    bb.putLong(NUM_COUNTERS_OFFSET + 4, 0); // the counters pointer means nothing here
    return b;
  }

  /** The SET_ADD_COUNTERS payload that restores the counters. */
  public byte[] replayCounters() {
    ByteBuffer b =
        ByteBuffer.allocate(COUNTERS_INFO_HEADER + 8 * counters.length)
            .order(ByteOrder.LITTLE_ENDIAN);
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    b.put(n, 0, Math.min(n.length, 31));
    b.putInt(32, entries());
    b.position(COUNTERS_INFO_HEADER);
    for (long c : counters) {
      b.putLong(c);
    }
    return b.array();
  }
}

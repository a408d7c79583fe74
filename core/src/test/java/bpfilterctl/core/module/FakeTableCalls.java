package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Calls to {@link TableFakeUmh} as iptables would make them, for persistence tests. */
public final class FakeTableCalls {
  private FakeTableCalls() {}

  /** A replace blob for {@code table}: a valid header and {@code entries} x 64 patterned bytes. */
  /** As big as the smallest real entry (sizeof ipt_entry), so that the counts are plausible. */
  static final int ENTRY_BYTES = 112;

  public static byte[] blob(String table, int entries, int seed) {
    ByteBuffer b = ByteBuffer.allocate(96 + ENTRY_BYTES * entries).order(ByteOrder.LITTLE_ENDIAN);
    b.put(table.getBytes(StandardCharsets.US_ASCII));
    b.putInt(36, entries).putInt(40, ENTRY_BYTES * entries);
    for (int i = 96; i < b.capacity(); i++) {
      b.put(i, (byte) (seed * 31 + i));
    }
    return b.array();
  }

  /** A SET_REPLACE as iptables sends it: num_counters from a GET_INFO just before. */
  public static MboxReply replace(ModuleAccess m, byte[] blob) throws ModuleException {
    byte[] info = new byte[84];
    System.arraycopy(blob, 0, info, 0, 32);
    int current =
        ByteBuffer.wrap(m.call(new MboxRequest(0, false, 64, 1, info)).payload())
            .order(ByteOrder.LITTLE_ENDIAN)
            .getInt(76);
    byte[] b = blob.clone();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(84, current);
    return m.call(new MboxRequest(0, true, 64, 1, b));
  }

  public static MboxReply addCounters(ModuleAccess m, String table, int entries, long k)
      throws ModuleException {
    ByteBuffer b = ByteBuffer.allocate(40 + 16 * entries).order(ByteOrder.LITTLE_ENDIAN);
    b.put(table.getBytes(StandardCharsets.US_ASCII)).putInt(32, entries).position(40);
    for (int i = 0; i < 2 * entries; i++) {
      b.putLong(k + i);
    }
    return m.call(new MboxRequest(0, true, 65, 1, b.array()));
  }

  public static byte[] dump(ModuleAccess m, String table) throws ModuleException {
    byte[] p = new byte[16 << 10];
    System.arraycopy(table.getBytes(StandardCharsets.US_ASCII), 0, p, 0, table.length());
    return m.call(new MboxRequest(0, false, 99, 1, p)).payload();
  }
}

package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * struct xt_counters_info: name[32], u32 num_counters, 4 bytes of padding, then num_counters x
 * xt_counters. IPT_SO_SET_ADD_COUNTERS's value; one counter per entry, in entry order.
 */
public record XtCountersInfo(String name, List<XtCounters> counters) {
  public static final int HEADER_SIZE = 40;
  public static final int OFF_NAME = 0;
  public static final int OFF_NUM_COUNTERS = 32;

  public XtCountersInfo {
    counters = List.copyOf(counters);
  }

  public byte[] encode() {
    ByteBuffer b = Abi.allocate(HEADER_SIZE + counters.size() * XtCounters.SIZE);
    FixedName.write(b, OFF_NAME, name, Abi.TABLE_NAME_LEN);
    b.putInt(OFF_NUM_COUNTERS, counters.size());
    for (int i = 0; i < counters.size(); i++) {
      counters.get(i).encode(b, HEADER_SIZE + i * XtCounters.SIZE);
    }
    return b.array();
  }

  /** Decodes a well-formed value: as many counters as the header says and the buffer holds. */
  public static XtCountersInfo decode(byte[] bytes) {
    if (bytes.length < HEADER_SIZE) {
      throw new IllegalArgumentException("xt_counters_info needs " + HEADER_SIZE + " bytes");
    }
    ByteBuffer b = Abi.wrap(bytes);
    long n = Integer.toUnsignedLong(b.getInt(OFF_NUM_COUNTERS));
    List<XtCounters> c = new ArrayList<>();
    for (long i = 0; i < n && HEADER_SIZE + (i + 1) * XtCounters.SIZE <= bytes.length; i++) {
      c.add(XtCounters.decode(b, HEADER_SIZE + (int) i * XtCounters.SIZE));
    }
    return new XtCountersInfo(FixedName.read(b, OFF_NAME, Abi.TABLE_NAME_LEN), c);
  }
}

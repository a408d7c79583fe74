package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/** struct xt_counters: packets then bytes, two u64. */
public record XtCounters(long pcnt, long bcnt) {
  public static final int SIZE = 16;
  public static final XtCounters ZERO = new XtCounters(0, 0);

  public static XtCounters decode(ByteBuffer b, int at) {
    return new XtCounters(b.getLong(at), b.getLong(at + 8));
  }

  public void encode(ByteBuffer b, int at) {
    b.putLong(at, pcnt).putLong(at + 8, bcnt);
  }

  public XtCounters plus(XtCounters o) {
    return new XtCounters(pcnt + o.pcnt, bcnt + o.bcnt);
  }

  /** A packed array of counters, as SET_REPLACE returns them and SET_ADD_COUNTERS carries them. */
  public static byte[] encodeAll(java.util.List<XtCounters> counters) {
    ByteBuffer b = Abi.allocate(counters.size() * SIZE);
    for (int i = 0; i < counters.size(); i++) {
      counters.get(i).encode(b, i * SIZE);
    }
    return b.array();
  }

  public static java.util.List<XtCounters> decodeAll(byte[] packed) {
    ByteBuffer b = Abi.wrap(packed);
    java.util.List<XtCounters> out = new java.util.ArrayList<>();
    for (int at = 0; at + SIZE <= packed.length; at += SIZE) {
      out.add(decode(b, at));
    }
    return out;
  }
}

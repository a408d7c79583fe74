package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/** struct xt_udp (10 bytes), also udplite's: spts[2], dpts[2] (u16, host order), invflags. */
public record XtUdp(int sptMin, int sptMax, int dptMin, int dptMax, int inv) {
  public static final int SIZE = 10;
  public static final int OFF_INVFLAGS = 8;
  public static final int INV_SRCPT = 0x01;
  public static final int INV_DSTPT = 0x02;
  public static final int INV_MASK = 0x03;

  /** Decodes the match data at position 0 of a little-endian buffer. */
  public static XtUdp decode(ByteBuffer d) {
    return new XtUdp(
        Short.toUnsignedInt(d.getShort(0)),
        Short.toUnsignedInt(d.getShort(2)),
        Short.toUnsignedInt(d.getShort(4)),
        Short.toUnsignedInt(d.getShort(6)),
        Byte.toUnsignedInt(d.get(OFF_INVFLAGS)));
  }
}

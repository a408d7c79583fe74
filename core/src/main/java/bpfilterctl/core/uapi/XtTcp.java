package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/**
 * struct xt_tcp (12 bytes): spts[2], dpts[2] (u16, host order), option, flg_mask, flg_cmp,
 * invflags.
 */
public record XtTcp(
    int sptMin, int sptMax, int dptMin, int dptMax, int option, int flgMask, int flgCmp, int inv) {
  public static final int SIZE = 12;
  public static final int OFF_INVFLAGS = 11;
  public static final int INV_SRCPT = 0x01;
  public static final int INV_DSTPT = 0x02;
  public static final int INV_FLAGS = 0x04;
  public static final int INV_OPTION = 0x08;
  public static final int INV_MASK = 0x0f;

  /** Decodes the match data at position 0 of a little-endian buffer. */
  public static XtTcp decode(ByteBuffer d) {
    return new XtTcp(
        Short.toUnsignedInt(d.getShort(0)),
        Short.toUnsignedInt(d.getShort(2)),
        Short.toUnsignedInt(d.getShort(4)),
        Short.toUnsignedInt(d.getShort(6)),
        Byte.toUnsignedInt(d.get(8)),
        Byte.toUnsignedInt(d.get(9)),
        Byte.toUnsignedInt(d.get(10)),
        Byte.toUnsignedInt(d.get(OFF_INVFLAGS)));
  }
}

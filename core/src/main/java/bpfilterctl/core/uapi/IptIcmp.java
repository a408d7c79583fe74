package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/** struct ipt_icmp (4 bytes): type (0xff = any), code[2] (a range), invflags. */
public record IptIcmp(int type, int codeMin, int codeMax, int inv) {
  public static final int SIZE = 4;
  public static final int OFF_INVFLAGS = 3;
  public static final int INV = 0x01;
  public static final int ANY_TYPE = 0xff;

  /** Decodes the match data at position 0 of a little-endian buffer. */
  public static IptIcmp decode(ByteBuffer d) {
    return new IptIcmp(
        Byte.toUnsignedInt(d.get(0)),
        Byte.toUnsignedInt(d.get(1)),
        Byte.toUnsignedInt(d.get(2)),
        Byte.toUnsignedInt(d.get(OFF_INVFLAGS)));
  }
}

package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/**
 * The 32-byte header that xt_entry_match and xt_entry_target share (u16 size, name[29], u8
 * revision), with its codec, so that the two records differ only in what they mean.
 */
final class ExtensionHeader {
  static final int SIZE = 32;
  static final int OFF_SIZE = 0;
  static final int OFF_NAME = 2;
  static final int OFF_REVISION = 31;

  private ExtensionHeader() {}

  /** What one header and the data after it decode to. */
  record Parts(String name, int revision, byte[] data) {}

  /**
   * @param sizeField the struct's name for its size ("match_size", "target_size"), for errors
   */
  static Parts decode(ByteBuffer b, int at, String sizeField) {
    int size = Short.toUnsignedInt(b.getShort(at + OFF_SIZE));
    if (size < SIZE) {
      throw new IllegalArgumentException(sizeField + " " + size + " at " + at);
    }
    byte[] data = new byte[size - SIZE];
    b.get(at + SIZE, data);
    return new Parts(
        FixedName.read(b, at + OFF_NAME, Abi.EXTENSION_NAME_LEN),
        Byte.toUnsignedInt(b.get(at + OFF_REVISION)),
        data);
  }

  static void encode(ByteBuffer b, int at, String name, int revision, byte[] data) {
    b.putShort(at + OFF_SIZE, (short) (SIZE + data.length));
    FixedName.write(b, at + OFF_NAME, name, Abi.EXTENSION_NAME_LEN);
    b.put(at + OFF_REVISION, (byte) revision);
    b.put(at + SIZE, data);
  }
}

package bpfilterctl.core.abi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * struct xt_entry_match: a 32-byte header (u16 match_size, name[29], u8 revision) followed by the
 * extension's data, padded to XT_ALIGN. {@code data} is the padded data as it travels.
 */
public record XtEntryMatch(String name, int revision, byte[] data) {
  public static final int HEADER_SIZE = 32;
  public static final int OFF_SIZE = 0;
  public static final int OFF_NAME = 2;
  public static final int OFF_REVISION = 31;

  public XtEntryMatch {
    data = data.clone();
  }

  /** A match whose data is padded with zeros to XT_ALIGN. */
  public static XtEntryMatch of(String name, int revision, byte[] unpadded) {
    return new XtEntryMatch(name, revision, Arrays.copyOf(unpadded, Abi.align(unpadded.length)));
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** match_size: header and data. */
  public int size() {
    return HEADER_SIZE + data.length;
  }

  public static XtEntryMatch decode(ByteBuffer b, int at) {
    int size = Short.toUnsignedInt(b.getShort(at + OFF_SIZE));
    if (size < HEADER_SIZE) {
      throw new IllegalArgumentException("match_size " + size + " at " + at);
    }
    byte[] data = new byte[size - HEADER_SIZE];
    b.get(at + HEADER_SIZE, data);
    return new XtEntryMatch(
        FixedName.read(b, at + OFF_NAME, Abi.EXTENSION_NAME_LEN),
        Byte.toUnsignedInt(b.get(at + OFF_REVISION)),
        data);
  }

  public void encode(ByteBuffer b, int at) {
    b.putShort(at + OFF_SIZE, (short) size());
    FixedName.write(b, at + OFF_NAME, name, Abi.EXTENSION_NAME_LEN);
    b.put(at + OFF_REVISION, (byte) revision);
    b.put(at + HEADER_SIZE, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof XtEntryMatch m
        && name.equals(m.name)
        && revision == m.revision
        && Arrays.equals(data, m.data);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(data);
  }
}

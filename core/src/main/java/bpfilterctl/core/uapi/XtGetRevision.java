package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/**
 * struct xt_get_revision, 30 bytes: name[29], u8 revision. IPT_SO_GET_REVISION_MATCH/TARGET's
 * buffer; the kernel leaves it as it was and answers with the call's result alone.
 */
public record XtGetRevision(String name, int revision) {
  public static final int SIZE = 30;
  public static final int OFF_NAME = 0;
  public static final int OFF_REVISION = 29;

  public static XtGetRevision decode(byte[] bytes) {
    if (bytes.length < SIZE) {
      throw new IllegalArgumentException("xt_get_revision is " + SIZE + " bytes");
    }
    ByteBuffer b = Abi.wrap(bytes);
    return new XtGetRevision(
        FixedName.read(b, OFF_NAME, Abi.EXTENSION_NAME_LEN),
        Byte.toUnsignedInt(b.get(OFF_REVISION)));
  }

  public byte[] encode() {
    ByteBuffer b = Abi.allocate(SIZE);
    FixedName.write(b, OFF_NAME, name, Abi.EXTENSION_NAME_LEN);
    b.put(OFF_REVISION, (byte) revision);
    return b.array();
  }
}

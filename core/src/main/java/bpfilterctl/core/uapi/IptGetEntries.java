package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * struct ipt_get_entries: name[32], u32 size, 4 bytes of padding (the entries are 8-aligned), then
 * {@code size} bytes of entries. IPT_SO_GET_ENTRIES's buffer must be exactly 40 + size bytes.
 */
public record IptGetEntries(String name, byte[] entries) {
  public static final int HEADER_SIZE = 40;
  public static final int OFF_NAME = 0;
  public static final int OFF_SIZE = 32;

  public IptGetEntries {
    entries = entries.clone();
  }

  @Override
  public byte[] entries() {
    return entries.clone();
  }

  public int size() {
    return entries.length;
  }

  /** The request buffer: name and size, zeros where the kernel will write the entries. */
  public static byte[] request(String table, int size) {
    ByteBuffer b = Abi.allocate(HEADER_SIZE + size);
    FixedName.write(b, OFF_NAME, table, Abi.TABLE_NAME_LEN);
    b.putInt(OFF_SIZE, size);
    return b.array();
  }

  public static IptGetEntries decode(byte[] bytes) {
    int size = checkedSize(bytes);
    ByteBuffer b = Abi.wrap(bytes);
    byte[] e = new byte[size];
    b.get(HEADER_SIZE, e);
    return new IptGetEntries(FixedName.read(b, OFF_NAME, Abi.TABLE_NAME_LEN), e);
  }

  /** The size field of a buffer that holds the header and that many bytes of entries. */
  public static int checkedSize(byte[] bytes) {
    if (bytes.length < HEADER_SIZE) {
      throw new IllegalArgumentException("ipt_get_entries needs " + HEADER_SIZE + " bytes");
    }
    int size = Abi.wrap(bytes).getInt(OFF_SIZE);
    if (size < 0 || HEADER_SIZE + size > bytes.length) {
      throw new IllegalArgumentException("size " + size + " beyond the buffer");
    }
    return size;
  }

  public byte[] encode() {
    byte[] out = request(name, entries.length);
    System.arraycopy(entries, 0, out, HEADER_SIZE, entries.length);
    return out;
  }

  public List<IptEntry> entryList() {
    return IptEntries.decode(entries);
  }
}

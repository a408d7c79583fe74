package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * struct xt_entry_match: a 32-byte header (u16 match_size, name[29], u8 revision) followed by the
 * extension's data, padded to XT_ALIGN. {@code data} is the padded data as it travels.
 */
public record XtEntryMatch(String name, int revision, byte[] data) {
  public static final int HEADER_SIZE = ExtensionHeader.SIZE;
  public static final int OFF_SIZE = ExtensionHeader.OFF_SIZE;
  public static final int OFF_NAME = ExtensionHeader.OFF_NAME;
  public static final int OFF_REVISION = ExtensionHeader.OFF_REVISION;

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
    ExtensionHeader.Parts p = ExtensionHeader.decode(b, at, "match_size");
    return new XtEntryMatch(p.name(), p.revision(), p.data());
  }

  public void encode(ByteBuffer b, int at) {
    ExtensionHeader.encode(b, at, name, revision, data);
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

package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * struct xt_entry_target: the same 32-byte header as a match (u16 target_size, name[29], u8
 * revision) and the padded data. The standard target has the empty name and an int verdict; the
 * ERROR target carries a chain name (xt_error_target).
 */
public record XtEntryTarget(String name, int revision, byte[] data) {
  public static final int HEADER_SIZE = ExtensionHeader.SIZE;
  public static final int OFF_SIZE = ExtensionHeader.OFF_SIZE;
  public static final int OFF_NAME = ExtensionHeader.OFF_NAME;
  public static final int OFF_REVISION = ExtensionHeader.OFF_REVISION;

  /** XT_STANDARD_TARGET. */
  public static final String STANDARD = "";

  /** XT_ERROR_TARGET. */
  public static final String ERROR = "ERROR";

  /** sizeof(struct xt_standard_target): the header, the verdict, padding to 8. */
  public static final int STANDARD_SIZE = 40;

  /** sizeof(struct xt_error_target): the header and errorname[32]. */
  public static final int ERROR_SIZE = 64;

  /** XT_FUNCTION_MAXNAMELEN, the size of an error target's name field. */
  public static final int ERROR_NAME_LEN = 32;

  public XtEntryTarget {
    data = data.clone();
  }

  public static XtEntryTarget of(String name, int revision, byte[] unpadded) {
    return new XtEntryTarget(name, revision, Arrays.copyOf(unpadded, Abi.align(unpadded.length)));
  }

  /** The standard target with this verdict (see {@link Verdict}) or jump offset. */
  public static XtEntryTarget standard(int verdict) {
    ByteBuffer d = Abi.allocate(STANDARD_SIZE - HEADER_SIZE);
    d.putInt(0, verdict);
    return new XtEntryTarget(STANDARD, 0, d.array());
  }

  /** An ERROR target: the head of a user chain (its name) or the table's end ("ERROR"). */
  public static XtEntryTarget error(String errorName) {
    ByteBuffer d = Abi.allocate(ERROR_SIZE - HEADER_SIZE);
    FixedName.write(d, 0, errorName, ERROR_NAME_LEN);
    return new XtEntryTarget(ERROR, 0, d.array());
  }

  public boolean isStandard() {
    return name.equals(STANDARD);
  }

  public boolean isError() {
    return name.equals(ERROR);
  }

  /** The verdict of a standard target. */
  public int verdict() {
    if (!isStandard() || data.length < 4) {
      throw new IllegalStateException("not a standard target: '" + name + "'");
    }
    return Abi.wrap(data).getInt(0);
  }

  /**
   * The little-endian s32 at {@code at} of the data, read in place (no copy of the data, which a
   * listing of 50,000 rules would make twice per rule).
   */
  public int dataInt(int at) {
    return Abi.wrap(data).getInt(at);
  }

  /** The chain name of an ERROR target. */
  public String errorName() {
    if (!isError()) {
      throw new IllegalStateException("not an ERROR target: '" + name + "'");
    }
    return FixedName.read(Abi.wrap(data), 0, Math.min(data.length, ERROR_NAME_LEN));
  }

  @Override
  public byte[] data() {
    return data.clone();
  }

  /** target_size: header and data. */
  public int size() {
    return HEADER_SIZE + data.length;
  }

  public static XtEntryTarget decode(ByteBuffer b, int at) {
    ExtensionHeader.Parts p = ExtensionHeader.decode(b, at, "target_size");
    return new XtEntryTarget(p.name(), p.revision(), p.data());
  }

  public void encode(ByteBuffer b, int at) {
    ExtensionHeader.encode(b, at, name, revision, data);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof XtEntryTarget t
        && name.equals(t.name)
        && revision == t.revision
        && Arrays.equals(data, t.data);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(data);
  }
}

package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.nio.ByteBuffer;

/**
 * A view of the raw entries of a table, as x_tables walks them: fields read and written in place at
 * byte offsets, with no assumption that the blob is well formed beyond what the caller checked.
 */
final class EntryBlob {
  private final byte[] bytes;
  private final ByteBuffer b;

  EntryBlob(byte[] bytes) {
    this.bytes = bytes;
    this.b = Abi.wrap(bytes);
  }

  byte[] bytes() {
    return bytes;
  }

  ByteBuffer buffer() {
    return b;
  }

  int size() {
    return bytes.length;
  }

  int u8(int at) {
    return Byte.toUnsignedInt(b.get(at));
  }

  int u16(int at) {
    return Short.toUnsignedInt(b.getShort(at));
  }

  int targetOffset(int e) {
    return u16(e + IptEntry.OFF_TARGET_OFFSET);
  }

  int nextOffset(int e) {
    return u16(e + IptEntry.OFF_NEXT_OFFSET);
  }

  int comefrom(int e) {
    return b.getInt(e + IptEntry.OFF_COMEFROM);
  }

  void setComefrom(int e, int v) {
    b.putInt(e + IptEntry.OFF_COMEFROM, v);
  }

  /** The packet counter, which mark_source_chains borrows as a back pointer. */
  long pcnt(int e) {
    return b.getLong(e + IptEntry.OFF_COUNTERS);
  }

  void setPcnt(int e, long v) {
    b.putLong(e + IptEntry.OFF_COUNTERS, v);
  }

  void clearCounters(int e) {
    b.putLong(e + IptEntry.OFF_COUNTERS, 0).putLong(e + IptEntry.OFF_COUNTERS + 8, 0);
  }

  int ipFlags(int e) {
    return u8(e + IptEntry.OFF_IP + IptIp.OFF_FLAGS);
  }

  int ipInvflags(int e) {
    return u8(e + IptEntry.OFF_IP + IptIp.OFF_INVFLAGS);
  }

  int ipProto(int e) {
    return u16(e + IptEntry.OFF_IP + IptIp.OFF_PROTO);
  }

  int target(int e) {
    return e + targetOffset(e);
  }

  /** strcmp of the C string at {@code at} with {@code name}. */
  boolean nameIs(int at, String name) {
    for (int i = 0; i < name.length(); i++) {
      if (b.get(at + i) != (byte) name.charAt(i)) {
        return false;
      }
    }
    return b.get(at + name.length()) == 0;
  }

  boolean targetIsStandard(int e) {
    return nameIs(target(e) + XtEntryTarget.OFF_NAME, XtEntryTarget.STANDARD);
  }

  boolean targetIsError(int e) {
    return nameIs(target(e) + XtEntryTarget.OFF_NAME, XtEntryTarget.ERROR);
  }

  int verdict(int e) {
    return b.getInt(target(e) + XtEntryTarget.HEADER_SIZE);
  }

  /** The kernel's unconditional(): no matches and an all-zero ipt_ip. */
  boolean unconditional(int e) {
    if (targetOffset(e) != IptEntry.SIZE) {
      return false;
    }
    for (int i = 0; i < IptIp.SIZE; i++) {
      if (bytes[e + IptEntry.OFF_IP + i] != 0) {
        return false;
      }
    }
    return true;
  }
}

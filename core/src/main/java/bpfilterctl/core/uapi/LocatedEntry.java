package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One ipt_entry where it sits in a table's entries blob: its index, its byte offset (what
 * hook_entry, underflow and jumps refer to) and its offsets as stored, which a malformed blob may
 * have inconsistent with its matches and target.
 */
public record LocatedEntry(
    int index, int offset, int targetOffset, int nextOffset, IptEntry entry) {

  /** Every entry of a whole blob: {@link #walk(ByteBuffer, int, int)} over all of it. */
  public static List<LocatedEntry> decodeAll(byte[] blob) {
    return walk(Abi.wrap(blob), 0, blob.length);
  }

  /**
   * The one walk over a blob of entries ({@code size} bytes at {@code start}, offsets relative to
   * it), by next_offset as the kernel's xt_entry_foreach goes; throws IllegalArgumentException,
   * saying which entry and where, when one does not decode or does not fit.
   */
  public static List<LocatedEntry> walk(ByteBuffer b, int start, int size) {
    List<LocatedEntry> out = new ArrayList<>();
    int at = 0;
    while (at < size) {
      if (size - at < IptEntry.SIZE) {
        throw new IllegalArgumentException(
            "entry #" + out.size() + " at " + at + ": only " + (size - at) + " bytes left");
      }
      int targetOffset = Short.toUnsignedInt(b.getShort(start + at + IptEntry.OFF_TARGET_OFFSET));
      int nextOffset = Short.toUnsignedInt(b.getShort(start + at + IptEntry.OFF_NEXT_OFFSET));
      if (nextOffset == 0 || at + nextOffset > size) {
        throw new IllegalArgumentException(
            "entry #" + out.size() + " at " + at + ": next_offset " + nextOffset);
      }
      IptEntry e;
      try {
        e = IptEntry.decode(b, start + at);
      } catch (IllegalArgumentException | IndexOutOfBoundsException x) {
        throw new IllegalArgumentException("entry #" + out.size() + ": " + x.getMessage(), x);
      }
      out.add(new LocatedEntry(out.size(), at, targetOffset, nextOffset, e));
      at += nextOffset;
    }
    return out;
  }
}

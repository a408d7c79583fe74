package bpfilterctl.core.inspect;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
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

  /**
   * Decodes every entry of a blob, walking next_offset as the kernel does; throws
   * IllegalArgumentException, saying where, when an entry does not decode.
   */
  public static List<LocatedEntry> decodeAll(byte[] blob) {
    ByteBuffer b = Abi.wrap(blob);
    List<LocatedEntry> out = new ArrayList<>();
    int at = 0;
    while (at < blob.length) {
      if (blob.length - at < IptEntry.SIZE) {
        throw new IllegalArgumentException(
            "entry #" + out.size() + " at " + at + ": only " + (blob.length - at) + " bytes left");
      }
      int targetOffset = Short.toUnsignedInt(b.getShort(at + IptEntry.OFF_TARGET_OFFSET));
      int nextOffset = Short.toUnsignedInt(b.getShort(at + IptEntry.OFF_NEXT_OFFSET));
      if (nextOffset == 0 || at + nextOffset > blob.length) {
        throw new IllegalArgumentException(
            "entry #" + out.size() + " at " + at + ": next_offset " + nextOffset);
      }
      IptEntry e;
      try {
        e = IptEntry.decode(b, at);
      } catch (IllegalArgumentException | IndexOutOfBoundsException x) {
        throw new IllegalArgumentException("entry #" + out.size() + ": " + x.getMessage(), x);
      }
      out.add(new LocatedEntry(out.size(), at, targetOffset, nextOffset, e));
      at += nextOffset;
    }
    return out;
  }
}

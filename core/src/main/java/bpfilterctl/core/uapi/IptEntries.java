package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** The entries of a table as one blob (what ipt_replace and ipt_get_entries carry). */
public final class IptEntries {
  private IptEntries() {}

  /** Byte size of the blob these entries make. */
  public static int size(List<IptEntry> entries) {
    int n = 0;
    for (IptEntry e : entries) {
      n += e.nextOffset();
    }
    return n;
  }

  /** Offsets of each entry in the blob: what hook_entry, underflow and jumps refer to. */
  public static int[] offsets(List<IptEntry> entries) {
    int[] offs = new int[entries.size()];
    int at = 0;
    for (int i = 0; i < offs.length; i++) {
      offs[i] = at;
      at += entries.get(i).nextOffset();
    }
    return offs;
  }

  public static byte[] encode(List<IptEntry> entries) {
    ByteBuffer b = Abi.allocate(size(entries));
    int at = 0;
    for (IptEntry e : entries) {
      at += e.encode(b, at);
    }
    return b.array();
  }

  /** Decodes {@code size} bytes of entries starting at {@code at} ({@link LocatedEntry#walk}). */
  public static List<IptEntry> decode(ByteBuffer b, int at, int size) {
    List<IptEntry> out = new ArrayList<>(); // callers edit what they decoded
    for (LocatedEntry le : LocatedEntry.walk(b, at, size)) {
      out.add(le.entry());
    }
    return out;
  }

  public static List<IptEntry> decode(byte[] blob) {
    return decode(Abi.wrap(blob), 0, blob.length);
  }
}

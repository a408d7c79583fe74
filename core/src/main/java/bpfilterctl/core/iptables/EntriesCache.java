package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The entries of each table's last GET_ENTRIES reply, decoded, for a process that reads its tables
 * again and again (the daemon's one-shots). An entry whose bytes are those of an entry of the last
 * reply, at the same offset or shifted by the change in size (an append or delete moves the entries
 * after it), is that entry's decode: a decode reads nothing outside the entry's own bytes. The rest
 * decode as usual. The entries are immutable records, so every caller may share them; the list is
 * unmodifiable. The calls to the module are not cached: GET_INFO and GET_ENTRIES go out as ever.
 */
public final class EntriesCache implements TableIo.EntryDecoder {
  /** One table's last reply: its entries' bytes, where each starts, and their decodes. */
  private record Last(byte[] blob, int[] offsets, List<IptEntry> entries) {}

  private final Map<String, Last> last = new ConcurrentHashMap<>();

  @Override
  public List<IptEntry> decode(String table, byte[] reply) {
    int size = IptGetEntries.checkedSize(reply);
    byte[] blob =
        Arrays.copyOfRange(reply, IptGetEntries.HEADER_SIZE, IptGetEntries.HEADER_SIZE + size);
    Last before = last.get(table);
    Last now = before == null ? null : reuse(before, blob);
    if (now == null) {
      // The one walk, with its errors; its entries stay the callers' own to edit.
      List<IptEntry> fresh = TableIo.EntryDecoder.FRESH.decode(table, reply);
      // Where each starts, by next_offset as stored (the walk went by it too).
      ByteBuffer b = Abi.wrap(blob);
      int[] offsets = new int[fresh.size()];
      int at = 0;
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = at;
        at += Short.toUnsignedInt(b.getShort(at + IptEntry.OFF_NEXT_OFFSET));
      }
      now = new Last(blob, offsets, Collections.unmodifiableList(new ArrayList<>(fresh)));
    }
    last.put(table, now);
    return now.entries();
  }

  /**
   * The new blob's entries, each from {@code before} when its bytes are there unchanged; null when
   * an entry is malformed (the plain decode then says how, as it always does).
   */
  private static Last reuse(Last before, byte[] blob) {
    if (Arrays.equals(before.blob(), blob)) {
      return before;
    }
    int delta = blob.length - before.blob().length;
    ByteBuffer b = Abi.wrap(blob);
    List<IptEntry> out = new ArrayList<>(before.entries().size() + 16);
    int[] offsets = new int[before.offsets().length + 16];
    int n = 0;
    int at = 0;
    while (at < blob.length) {
      if (blob.length - at < IptEntry.SIZE) {
        return null;
      }
      int next = Short.toUnsignedInt(b.getShort(at + IptEntry.OFF_NEXT_OFFSET));
      if (next == 0 || at + next > blob.length) {
        return null;
      }
      IptEntry e = same(before, at, blob, at, next);
      if (e == null && delta != 0) {
        e = same(before, at - delta, blob, at, next);
      }
      if (e == null) {
        try {
          e = IptEntry.decode(b, at);
        } catch (IllegalArgumentException | IndexOutOfBoundsException x) {
          return null;
        }
      }
      if (n == offsets.length) {
        offsets = Arrays.copyOf(offsets, n * 2);
      }
      offsets[n++] = at;
      out.add(e);
      at += next;
    }
    return new Last(blob, Arrays.copyOf(offsets, n), Collections.unmodifiableList(out));
  }

  /** The old entry that starts at {@code old} with exactly these {@code next} bytes, or null. */
  private static IptEntry same(Last before, int old, byte[] blob, int at, int next) {
    int i = Arrays.binarySearch(before.offsets(), old);
    if (i < 0) {
      return null;
    }
    byte[] was = before.blob();
    int end = i + 1 < before.offsets().length ? before.offsets()[i + 1] : was.length;
    if (end - old != next || !Arrays.equals(was, old, end, blob, at, at + next)) {
      return null;
    }
    return before.entries().get(i);
  }
}

package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
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
 *
 * <p>A commit sends most entries back as it read them: each reply is also the {@link EntryBytes} of
 * its entries, which copies an entry's bytes from the reply where they are what encoding that entry
 * writes (checked once per entry, by encoding it, and remembered while the entry is reused).
 */
public final class EntriesCache implements TableIo.EntryDecoder {
  private final Map<String, Last> last = new ConcurrentHashMap<>();

  @Override
  public List<IptEntry> decode(String table, byte[] reply) {
    return read(table, reply).entries();
  }

  @Override
  public TableIo.Decoded read(String table, byte[] reply) {
    int size = IptGetEntries.checkedSize(reply);
    // The entries are kept where the reply has them (after its header): not copied, and never
    // written, here or by the caller.
    int base = IptGetEntries.HEADER_SIZE;
    Last before = last.get(table);
    Last now = before == null ? null : reuse(before, reply, base, size);
    if (now == null) {
      // The one walk, with its errors; its entries stay the callers' own to edit.
      List<IptEntry> fresh = TableIo.EntryDecoder.FRESH.decode(table, reply);
      // Where each starts, by next_offset as stored (the walk went by it too).
      ByteBuffer b = Abi.wrap(reply);
      int[] offsets = new int[fresh.size()];
      int at = 0;
      for (int i = 0; i < offsets.length; i++) {
        offsets[i] = at;
        at += Short.toUnsignedInt(b.getShort(base + at + IptEntry.OFF_NEXT_OFFSET));
      }
      now =
          new Last(
              reply,
              base,
              size,
              offsets,
              Collections.unmodifiableList(new ArrayList<>(fresh)),
              new byte[offsets.length]);
    }
    last.put(table, now);
    return new TableIo.Decoded(now.entries, now);
  }

  /**
   * One table's last reply: its entries' bytes ({@code size} of them from {@code base} of {@code
   * bytes}), where each starts (from {@code base}), and their decodes.
   */
  private static final class Last implements EntryBytes {
    private static final byte UNKNOWN = 0;
    private static final byte SAME = 1;
    private static final byte DIFFERENT = 2;

    final byte[] bytes;
    final int base;
    final int size;
    final int[] offsets;
    final List<IptEntry> entries;

    /**
     * Per entry: whether its bytes here are what encoding it writes. Written by whichever commit
     * checks first; a racing one checks again and finds the same.
     */
    final byte[] encodesAsRead;

    /** Each entry's index, by identity; built by the first commit that copies. */
    private volatile Map<IptEntry, Integer> index;

    Last(
        byte[] bytes,
        int base,
        int size,
        int[] offsets,
        List<IptEntry> entries,
        byte[] encodesAsRead) {
      this.bytes = bytes;
      this.base = base;
      this.size = size;
      this.offsets = offsets;
      this.entries = entries;
      this.encodesAsRead = encodesAsRead;
    }

    int end(int i) {
      return i + 1 < offsets.length ? offsets[i + 1] : size;
    }

    @Override
    public boolean copy(IptEntry entry, byte[] into, int at) {
      Map<IptEntry, Integer> byEntry = index;
      if (byEntry == null) {
        byEntry = new IdentityHashMap<>(entries.size() * 2);
        for (int i = 0; i < entries.size(); i++) {
          byEntry.put(entries.get(i), i);
        }
        index = byEntry;
      }
      Integer i = byEntry.get(entry);
      if (i == null) {
        return false;
      }
      int from = offsets[i];
      int len = end(i) - from;
      if (encodesAsRead[i] == UNKNOWN) {
        encodesAsRead[i] = encodesAs(entry, bytes, base + from, len) ? SAME : DIFFERENT;
      }
      if (encodesAsRead[i] != SAME) {
        return false;
      }
      System.arraycopy(bytes, base + from, into, at, len);
      return true;
    }

    /** Whether encoding {@code e} writes exactly these {@code len} bytes of {@code blob}. */
    private static boolean encodesAs(IptEntry e, byte[] blob, int from, int len) {
      if (e.nextOffset() != len) {
        return false;
      }
      byte[] mine = new byte[len];
      e.encode(Abi.wrap(mine), 0);
      return Arrays.equals(mine, 0, len, blob, from, from + len);
    }
  }

  /**
   * The new blob's entries, each from {@code before} when its bytes are there unchanged; null when
   * an entry is malformed (the plain decode then says how, as it always does).
   */
  private static Last reuse(Last before, byte[] bytes, int base, int size) {
    if (Arrays.equals(
        before.bytes, before.base, before.base + before.size, bytes, base, base + size)) {
      return before;
    }
    int delta = size - before.size;
    ByteBuffer b = Abi.wrap(bytes);
    List<IptEntry> out = new ArrayList<>(before.entries.size() + 16);
    int[] offsets = new int[before.offsets.length + 16];
    byte[] checked = new byte[offsets.length];
    int n = 0;
    int at = 0;
    while (at < size) {
      if (size - at < IptEntry.SIZE) {
        return null;
      }
      int next = Short.toUnsignedInt(b.getShort(base + at + IptEntry.OFF_NEXT_OFFSET));
      if (next == 0 || at + next > size) {
        return null;
      }
      int old = same(before, at, bytes, base + at, next);
      if (old < 0 && delta != 0) {
        old = same(before, at - delta, bytes, base + at, next);
      }
      IptEntry e;
      if (old >= 0) {
        e = before.entries.get(old);
      } else {
        try {
          e = IptEntry.decode(b, base + at);
        } catch (IllegalArgumentException | IndexOutOfBoundsException x) {
          return null;
        }
      }
      if (n == offsets.length) {
        offsets = Arrays.copyOf(offsets, n * 2);
        checked = Arrays.copyOf(checked, n * 2);
      }
      // The same bytes and the same entry: what was found of them holds here too.
      checked[n] = old >= 0 ? before.encodesAsRead[old] : Last.UNKNOWN;
      offsets[n++] = at;
      out.add(e);
      at += next;
    }
    return new Last(
        bytes,
        base,
        size,
        Arrays.copyOf(offsets, n),
        Collections.unmodifiableList(out),
        Arrays.copyOf(checked, n));
  }

  /**
   * The index of the old entry that starts at {@code old} with exactly the {@code next} bytes at
   * {@code at} of {@code bytes}, or -1.
   */
  private static int same(Last before, int old, byte[] bytes, int at, int next) {
    int i = Arrays.binarySearch(before.offsets, old);
    if (i < 0) {
      return -1;
    }
    int end = before.end(i);
    int from = before.base + old;
    if (end - old != next
        || !Arrays.equals(before.bytes, from, from + next, bytes, at, at + next)) {
      return -1;
    }
    return i;
  }
}

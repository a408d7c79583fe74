package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * struct ipt_entry, 112 bytes, followed by its matches and its target: one rule, one policy, one
 * chain head or the table's end. target_offset and next_offset follow from the matches and target.
 *
 * @param nfcache kept as the caller sent it
 * @param comefrom the hooks the kernel found the entry reachable from (set by the kernel)
 */
public record IptEntry(
    IptIp ip,
    int nfcache,
    int comefrom,
    XtCounters counters,
    List<XtEntryMatch> matches,
    XtEntryTarget target) {
  public static final int SIZE = 112;
  public static final int OFF_IP = 0;
  public static final int OFF_NFCACHE = 84;
  public static final int OFF_TARGET_OFFSET = 88;
  public static final int OFF_NEXT_OFFSET = 90;
  public static final int OFF_COMEFROM = 92;
  public static final int OFF_COUNTERS = 96;

  public IptEntry {
    matches = List.copyOf(matches);
  }

  /** A rule as a client builds it: no cache bits, no comefrom, zero counters. */
  public static IptEntry of(IptIp ip, List<XtEntryMatch> matches, XtEntryTarget target) {
    return new IptEntry(ip, 0, 0, XtCounters.ZERO, matches, target);
  }

  public IptEntry withCounters(XtCounters c) {
    return new IptEntry(ip, nfcache, comefrom, c, matches, target);
  }

  public int targetOffset() {
    int off = SIZE;
    for (XtEntryMatch m : matches) {
      off += m.size();
    }
    return off;
  }

  public int nextOffset() {
    return targetOffset() + target.size();
  }

  /** Decodes the entry at {@code at}; throws IllegalArgumentException if it is malformed. */
  public static IptEntry decode(ByteBuffer b, int at) {
    int targetOffset = Short.toUnsignedInt(b.getShort(at + OFF_TARGET_OFFSET));
    int nextOffset = Short.toUnsignedInt(b.getShort(at + OFF_NEXT_OFFSET));
    if (targetOffset < SIZE || targetOffset + XtEntryTarget.HEADER_SIZE > nextOffset) {
      throw new IllegalArgumentException(
          "entry at " + at + ": target_offset " + targetOffset + ", next_offset " + nextOffset);
    }
    List<XtEntryMatch> matches = new ArrayList<>();
    int m = SIZE;
    while (m < targetOffset) {
      XtEntryMatch match = XtEntryMatch.decode(b, at + m);
      matches.add(match);
      m += match.size();
    }
    if (m != targetOffset) {
      throw new IllegalArgumentException("entry at " + at + ": matches overrun the target");
    }
    XtEntryTarget target = XtEntryTarget.decode(b, at + targetOffset);
    if (targetOffset + target.size() > nextOffset) {
      throw new IllegalArgumentException("entry at " + at + ": target overruns next_offset");
    }
    return new IptEntry(
        IptIp.decode(b, at + OFF_IP),
        b.getInt(at + OFF_NFCACHE),
        b.getInt(at + OFF_COMEFROM),
        XtCounters.decode(b, at + OFF_COUNTERS),
        matches,
        target);
  }

  /** Encodes into {@code b} at {@code at}; returns next_offset. */
  public int encode(ByteBuffer b, int at) {
    ip.encode(b, at + OFF_IP);
    b.putInt(at + OFF_NFCACHE, nfcache);
    b.putShort(at + OFF_TARGET_OFFSET, (short) targetOffset());
    b.putShort(at + OFF_NEXT_OFFSET, (short) nextOffset());
    b.putInt(at + OFF_COMEFROM, comefrom);
    counters.encode(b, at + OFF_COUNTERS);
    int m = at + SIZE;
    for (XtEntryMatch match : matches) {
      match.encode(b, m);
      m += match.size();
    }
    target.encode(b, m);
    return nextOffset();
  }
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The frames a view keeps: the most recent {@code capacity}, oldest first, with the request of each
 * kept reply at hand (its table and decode are in the request). Older frames leave the log but stay
 * counted. Not thread-safe: one view's thread owns it.
 */
public final class FrameLog {
  private final Frame[] ring;
  private final Map<Long, Frame> requests = new HashMap<>();
  private long appended;

  public FrameLog(int capacity) {
    this.ring = new Frame[capacity];
  }

  public void append(Frame f) {
    int slot = (int) (appended % ring.length);
    Frame old = ring[slot];
    if (old != null && old.direction() == Frame.Direction.REQUEST) {
      requests.remove(old.id(), old);
    }
    ring[slot] = f;
    appended++;
    if (f.direction() == Frame.Direction.REQUEST) {
      requests.put(f.id(), f);
    }
  }

  /** Every frame ever appended, kept or not. */
  public long appended() {
    return appended;
  }

  public int size() {
    return (int) Math.min(appended, ring.length);
  }

  /** The request a reply answers, if it is still kept; null otherwise. */
  public Frame requestOf(Frame reply) {
    Frame r = requests.get(reply.id());
    return r != null && r.seq() <= reply.seq() ? r : null;
  }

  /** The kept frames, oldest first, as a view: no copy, valid until the next append or clear. */
  public List<Frame> view() {
    int n = size();
    long from = appended - n;
    return new AbstractList<>() {
      @Override
      public Frame get(int i) {
        if (i < 0 || i >= n) {
          throw new IndexOutOfBoundsException(i);
        }
        return ring[(int) ((from + i) % ring.length)];
      }

      @Override
      public int size() {
        return n;
      }
    };
  }

  /** The kept frames that pass {@code filter}, oldest first. */
  public List<Frame> matching(Predicate<Frame> filter) {
    int n = size();
    List<Frame> out = new ArrayList<>(n);
    for (long s = appended - n; s < appended; s++) {
      Frame f = ring[(int) (s % ring.length)];
      if (filter.test(f)) {
        out.add(f);
      }
    }
    return out;
  }

  public void clear() {
    Arrays.fill(ring, null);
    requests.clear();
    appended = 0;
  }
}

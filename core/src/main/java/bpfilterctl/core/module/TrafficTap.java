package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every frame in both directions, kept in a bounded ring and offered to subscribers. Publishing
 * never blocks: the request path must not wait for a slow reader.
 */
public final class TrafficTap {
  private final Frame[] ring;
  private final int payloadLimit;
  private final CopyOnWriteArrayList<TapSubscription> subscribers = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private long next;

  /**
   * @param capacity how many recent frames the ring keeps
   * @param payloadLimit how many payload bytes a frame keeps; longer payloads are cut there
   */
  public TrafficTap(int capacity, int payloadLimit) {
    this.ring = new Frame[capacity];
    this.payloadLimit = payloadLimit;
  }

  /**
   * Builds, stores and offers one frame of the exchange of {@code req}; returns it.
   *
   * @param status the reply's status; 0 for the request itself
   * @param payload what crossed: the request's payload or the reply's
   * @param latencyNanos the round trip, for a reply; 0 for the request
   */
  public Frame publish(
      Frame.Direction dir,
      MboxRequest req,
      int umhPid,
      int status,
      byte[] payload,
      long latencyNanos) {
    // Payload arrays are never modified once sent, so the tap may keep a reference.
    byte[] kept = payload.length <= payloadLimit ? payload : Arrays.copyOf(payload, payloadLimit);
    Frame f;
    synchronized (this) {
      f =
          new Frame(
              next,
              System.nanoTime(),
              System.currentTimeMillis(),
              dir,
              req.addr(),
              umhPid,
              req.pid(),
              req.isSet(),
              req.cmd(),
              req.len(),
              status,
              kept,
              payload.length,
              latencyNanos);
      ring[(int) (next % ring.length)] = f;
      next++;
    }
    for (TapSubscription s : subscribers) {
      s.offer(f);
    }
    return f;
  }

  /** The most recent frames, oldest first, at most {@code n}. */
  public synchronized List<Frame> recent(int n) {
    int count = (int) Math.min(Math.min(n, ring.length), next);
    List<Frame> out = new ArrayList<>(count);
    for (long s = next - count; s < next; s++) {
      out.add(ring[(int) (s % ring.length)]);
    }
    return out;
  }

  /** How many frames the ring keeps. */
  public int capacity() {
    return ring.length;
  }

  public synchronized long published() {
    return next;
  }

  public TapSubscription subscribe(int capacity) {
    TapSubscription[] self = new TapSubscription[1];
    self[0] = new TapSubscription(capacity, dropped, () -> subscribers.remove(self[0]));
    subscribers.add(self[0]);
    return self[0];
  }

  /** Frames dropped for any subscriber, ever: drops are counted, never hidden. */
  public long dropped() {
    return dropped.get();
  }
}

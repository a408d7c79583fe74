package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every frame in both directions, kept in a ring bounded in frames and in payload bytes, and
 * offered to subscribers (each bounded the same way). Publishing never blocks: the request path
 * must not wait for a slow reader.
 */
public final class TrafficTap {
  /** Payload bytes the ring keeps at most, by default: the oldest frames go first beyond it. */
  public static final long DEFAULT_BYTES = 4L << 20;

  private final Frame[] ring;
  private final int payloadLimit;
  private final long byteBudget;
  private final CopyOnWriteArrayList<TapSubscription> subscribers = new CopyOnWriteArrayList<>();
  private final AtomicLong dropped = new AtomicLong();
  private long next;

  /** Sequence number of the oldest frame still in the ring. */
  private long oldest;

  private long keptBytes;

  public TrafficTap(int capacity, int payloadLimit) {
    this(capacity, payloadLimit, DEFAULT_BYTES);
  }

  /**
   * @param capacity how many recent frames the ring keeps at most
   * @param payloadLimit how many payload bytes a frame keeps; longer payloads are cut there
   * @param byteBudget how many payload bytes the ring keeps at most (the newest frame always)
   */
  public TrafficTap(int capacity, int payloadLimit, long byteBudget) {
    this.ring = new Frame[capacity];
    this.payloadLimit = payloadLimit;
    this.byteBudget = byteBudget;
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
      String callerComm,
      int umhPid,
      int status,
      byte[] payload,
      long latencyNanos) {
    // Payload arrays are never modified once sent, so the tap may keep a reference.
    byte[] kept = payload.length <= payloadLimit ? payload : Arrays.copyOf(payload, payloadLimit);
    Frame f;
    synchronized (this) {
      f =
          Frame.builder()
              .seq(next)
              .monoNanos(System.nanoTime())
              .epochMillis(System.currentTimeMillis())
              .direction(dir)
              .id(req.addr())
              .umhPid(umhPid)
              .callerPid(req.pid())
              .callerComm(callerComm)
              .option(req.isSet(), req.cmd())
              .len(req.len())
              .status(status)
              .payload(kept)
              .payloadLength(payload.length)
              .latencyNanos(latencyNanos)
              .build();
      if (next - oldest == ring.length) {
        evictOldest();
      }
      ring[(int) (next % ring.length)] = f;
      keptBytes += kept.length;
      next++;
      while (keptBytes > byteBudget && next - oldest > 1) {
        evictOldest();
      }
    }
    for (TapSubscription s : subscribers) {
      s.offer(f);
    }
    return f;
  }

  private void evictOldest() {
    int i = (int) (oldest % ring.length);
    keptBytes -= ring[i].payload().length;
    ring[i] = null;
    oldest++;
  }

  /** Payload bytes the ring holds now. */
  public synchronized long keptBytes() {
    return keptBytes;
  }

  /** The most recent frames, oldest first, at most {@code n}. */
  public synchronized List<Frame> recent(int n) {
    int count = (int) Math.min(Math.max(0, n), next - oldest);
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

  /** A subscriber's queue of at most {@code capacity} frames and the tap's byte budget. */
  public TapSubscription subscribe(int capacity) {
    TapSubscription[] self = new TapSubscription[1];
    self[0] = new TapSubscription(capacity, byteBudget, dropped, () -> subscribers.remove(self[0]));
    subscribers.add(self[0]);
    return self[0];
  }

  /** Frames dropped for any subscriber, ever: drops are counted, never hidden. */
  public long dropped() {
    return dropped.get();
  }
}

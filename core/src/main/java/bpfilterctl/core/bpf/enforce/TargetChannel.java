package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.TargetLayout;
import bpfilterctl.core.bpf.compile.TargetMaps;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.RingBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The ring buffer REJECT and LOG rules report through, with its lost-record counter, and the thread
 * that reads it. One per namespace, shared by every generation (a replace keeps it), pinned beside
 * them as {@code events} and {@code events_lost}: a umh that adopts a pinned generation reads the
 * ring buffer its programs write to.
 */
public final class TargetChannel implements AutoCloseable {
  /** 256 KiB: about 370 records waiting. */
  static final int RING_SIZE = 1 << 18;

  static final String RING_PIN = "events";
  static final String LOST_PIN = "events_lost";

  private final Bpf bpf;
  private final Fd ring;
  private final Fd lost;
  private Thread reader;
  private volatile boolean closing;

  private TargetChannel(Bpf bpf, Fd ring, Fd lost) {
    this.bpf = bpf;
    this.ring = ring;
    this.lost = lost;
  }

  static TargetChannel create(Bpf bpf) throws BpfException {
    Fd ring = bpf.mapCreate(Bpf.MAP_TYPE_RINGBUF, 0, 0, RING_SIZE, "bpfilter_evts");
    try {
      return new TargetChannel(
          bpf, ring, bpf.mapCreate(Bpf.MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, "bpfilter_lost"));
    } catch (BpfException e) {
      ring.close();
      throw e;
    }
  }

  /** The channel pinned in {@code dir}, when there is one. */
  static Optional<TargetChannel> pinned(Bpf bpf, Path dir) throws BpfException {
    if (!Files.exists(dir.resolve(RING_PIN)) || !Files.exists(dir.resolve(LOST_PIN))) {
      return Optional.empty();
    }
    Fd ring = bpf.pinned(dir.resolve(RING_PIN).toString());
    try {
      return Optional.of(
          new TargetChannel(bpf, ring, bpf.pinned(dir.resolve(LOST_PIN).toString())));
    } catch (BpfException e) {
      ring.close();
      throw e;
    }
  }

  void pin(Path dir) throws BpfException {
    if (!Files.exists(dir.resolve(RING_PIN))) {
      bpf.pin(ring, dir.resolve(RING_PIN).toString());
    }
    if (!Files.exists(dir.resolve(LOST_PIN))) {
      bpf.pin(lost, dir.resolve(LOST_PIN).toString());
    }
  }

  /** The kernel's id of the ring buffer map (the same for every process that adopted it). */
  public int ringId() throws BpfException {
    return bpf.objectId(ring);
  }

  TargetMaps maps(TargetLayout layout) {
    return new TargetMaps(ring.value(), lost.value(), layout);
  }

  /** Records the programs could not hand over (the ring buffer was full), summed over CPUs. */
  public long lost() throws BpfException {
    int size = bpf.perCpuValueSize(8);
    ByteBuffer v =
        ByteBuffer.wrap(bpf.mapLookup(lost, new byte[4], size)).order(ByteOrder.LITTLE_ENDIAN);
    long n = 0;
    for (int at = 0; at < size; at += 8) {
      n += v.getLong(at);
    }
    return n;
  }

  /**
   * Starts the thread that hands every record to {@code sink} and tells {@code log} when records
   * were lost. Once only.
   */
  synchronized void start(Consumer<byte[]> sink, Consumer<String> log) throws BpfException {
    if (reader != null) {
      return;
    }
    RingBuffer rb = RingBuffer.map(ring, RING_SIZE);
    reader =
        new Thread(
            () -> {
              long reported = 0;
              long nextCheck = 0;
              try {
                while (!closing) {
                  rb.await(200);
                  rb.drain(
                      r -> {
                        try {
                          sink.accept(r);
                        } catch (RuntimeException e) {
                          log.accept("umh: target event not handled: " + e);
                        }
                      });
                  long now = System.nanoTime();
                  if (now - nextCheck >= 0) {
                    nextCheck = now + 1_000_000_000L;
                    long n = lost();
                    if (n > reported) {
                      log.accept(
                          "umh: "
                              + (n - reported)
                              + " REJECT/LOG events lost (ring buffer full), "
                              + n
                              + " in all");
                      reported = n;
                    }
                  }
                }
              } catch (BpfException e) {
                log.accept("umh: target events reader stopped: " + e.getMessage());
              } finally {
                rb.close();
              }
            },
            "umh-target-events");
    reader.setDaemon(true);
    reader.start();
  }

  @Override
  public void close() {
    closing = true;
    Thread t;
    synchronized (this) {
      t = reader;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ring.close();
    lost.close();
  }
}

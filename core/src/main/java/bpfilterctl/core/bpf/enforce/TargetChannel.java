package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.ReplyConntrack;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The ring buffer REJECT and LOG rules report through, with its lost-record counter, the map that
 * tells LOCAL_OUT what conntrack REJECT's next reply carries (ReplyConntrack), and the thread that
 * reads the ring buffer. One per namespace, shared by every generation (a replace keeps it), pinned
 * beside them as {@code events}, {@code events_lost} and {@code reply_ct}: a umh that adopts a
 * pinned generation reads the ring buffer its programs write to and writes the map they read.
 */
public final class TargetChannel implements AutoCloseable {
  /** 256 KiB: about 370 records waiting. */
  static final int RING_SIZE = 1 << 18;

  static final String RING_PIN = "events";
  static final String LOST_PIN = "events_lost";
  static final String REPLY_PIN = "reply_ct";

  private final Bpf bpf;
  private final Fd ring;
  private final Fd lost;
  private final Fd reply;
  private Thread reader;
  private volatile boolean closing;

  private TargetChannel(Bpf bpf, Fd ring, Fd lost, Fd reply) {
    this.bpf = bpf;
    this.ring = ring;
    this.lost = lost;
    this.reply = reply;
  }

  static TargetChannel create(Bpf bpf) throws BpfException {
    List<Fd> made = new ArrayList<>();
    try {
      made.add(bpf.mapCreate(Bpf.MAP_TYPE_RINGBUF, 0, 0, RING_SIZE, "bpfilter_evts"));
      made.add(bpf.mapCreate(Bpf.MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, "bpfilter_lost"));
      made.add(replyMap(bpf));
      return new TargetChannel(bpf, made.get(0), made.get(1), made.get(2));
    } catch (BpfException e) {
      made.forEach(Fd::close);
      throw e;
    }
  }

  private static Fd replyMap(Bpf bpf) throws BpfException {
    return bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, ReplyConntrack.VALUE_SIZE, 1, "bpfilter_reply");
  }

  /**
   * The channel pinned in {@code dir}, when there is one (a reply map made afresh where the pins
   * lack one).
   */
  static Optional<TargetChannel> pinned(Bpf bpf, Path dir) throws BpfException {
    if (!Files.exists(dir.resolve(RING_PIN)) || !Files.exists(dir.resolve(LOST_PIN))) {
      return Optional.empty();
    }
    List<Fd> opened = new ArrayList<>();
    try {
      opened.add(bpf.pinned(dir.resolve(RING_PIN).toString()));
      opened.add(bpf.pinned(dir.resolve(LOST_PIN).toString()));
      Path reply = dir.resolve(REPLY_PIN);
      opened.add(Files.exists(reply) ? bpf.pinned(reply.toString()) : replyMap(bpf));
      return Optional.of(new TargetChannel(bpf, opened.get(0), opened.get(1), opened.get(2)));
    } catch (BpfException e) {
      opened.forEach(Fd::close);
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
    if (!Files.exists(dir.resolve(REPLY_PIN))) {
      bpf.pin(reply, dir.resolve(REPLY_PIN).toString());
    }
  }

  /** The kernel's id of the ring buffer map (the same for every process that adopted it). */
  public int ringId() throws BpfException {
    return bpf.objectId(ring);
  }

  TargetMaps maps(TargetLayout layout) {
    return new TargetMaps(ring.value(), lost.value(), reply.value(), layout);
  }

  /** The map the umh writes before each REJECT reply (ReplyConntrack). */
  Fd replyMap() {
    return reply;
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
    reply.close();
  }
}

package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxReply;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One client connection as the daemon's I/O thread keeps it. Everything here belongs to that
 * thread, except {@link #closed} and {@link #queued}, which a subscription's thread reads, and the
 * fd, on which a worker sends its answer while the connection is busy.
 */
final class Connection {
  final int fd;
  final Peer peer;
  final long acceptedNanos;
  final FrameAssembler in;

  /** HELLO answered with WELCOME. */
  boolean welcomed;

  /** A request of this connection is with a worker: nothing more is read until it is answered. */
  boolean busy;

  /** The connection is a traffic or log stream now. */
  boolean subscribed;

  /** The command this connection's client runs here (RUN), from then on. */
  volatile ClientRun run;

  /** Bytes read past the frame now with a worker, fed in once it is answered. */
  ByteBuffer pending;

  /** What is queued to send, frames or parts of frames, none empty; sent as one stream. */
  final ArrayDeque<byte[]> out = new ArrayDeque<>();

  int outOffset;

  /** A frame's body shorter than this is copied behind its header into one array. */
  private static final int COPY_BELOW = 64 << 10;

  /** Bytes queued to send and not sent yet. */
  final AtomicLong queued = new AtomicLong();

  long lastInNanos;
  long lastOutNanos;

  /** Drop the connection once everything queued is sent. */
  boolean closeAfterFlush;

  /** Run once everything queued is sent (a stop's answer is out: now stop). */
  Runnable afterFlush;

  volatile boolean closed;

  /** Held to close {@link #fd}, and by a worker sending an answer on it while {@link #busy}. */
  final Object fdLock = new Object();

  Connection(int fd, Peer peer, long now, FrameAssembler.Gate gate) {
    this.fd = fd;
    this.peer = peer;
    this.acceptedNanos = now;
    this.lastInNanos = now;
    this.lastOutNanos = now;
    this.in = new FrameAssembler(gate);
  }

  void enqueue(DaemonFrame f, long now) {
    if (out.isEmpty()) {
      lastOutNanos = now;
    }
    byte[] body = f.body();
    if (body.length < COPY_BELOW) {
      out.add(f.encode());
    } else {
      // A big answer (a table's entries) is sent from its own array, not copied behind a header.
      out.add(f.encodeHeader());
      out.add(body);
    }
    queued.addAndGet(5 + body.length);
  }

  /**
   * A REPLY frame for {@code r}, its payload sent from the reply's own array: a remembered table's
   * entries go out to every reader without a copy.
   */
  void enqueueReply(MboxReply r, long now) {
    if (out.isEmpty()) {
      lastOutNanos = now;
    }
    byte[] payload = r.payload();
    int body = MboxReply.HEADER_BYTES + payload.length;
    out.add(
        ByteBuffer.allocate(5 + MboxReply.HEADER_BYTES)
            .order(ByteOrder.LITTLE_ENDIAN)
            .putInt(1 + body)
            .put((byte) FrameType.REPLY.code())
            .putInt(r.status())
            .array());
    if (payload.length > 0) {
      out.add(payload);
    }
    queued.addAndGet(5 + body);
  }

  boolean wantsRead() {
    return !closed
        && !busy
        && !closeAfterFlush
        && (subscribed
            || run != null
            || (queued.get() == 0 && (pending == null || !pending.hasRemaining())));
  }
}

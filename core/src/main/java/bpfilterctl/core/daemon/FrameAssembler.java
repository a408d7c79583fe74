package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.ModuleException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Builds frames from bytes as they arrive, holding no more than has arrived: a header announcing
 * 256 MiB costs nothing until the bytes come. Before it takes a body it asks its {@link Gate},
 * which sees the type, the announced length and, for a CALL, the 24-byte mbox header (so that
 * access is checked before the body is read). A CALL_HEAD comes out as the CALL it stands for, its
 * zeros held (and counted) as a sent body's bytes would be.
 */
final class FrameAssembler {
  private static final int HEADER = 5;
  private static final int FIRST_CHUNK = 64 << 10;

  /** What to do with the frame whose head has arrived. */
  enum Action {
    /** Read the body and hand the frame on. */
    TAKE,
    /** Answer {@code fail} now, let its body pass unstored, carry on with the next frame. */
    SKIP,
    /** Answer {@code fail} and drop the connection. */
    CLOSE
  }

  record Decision(Action action, DaemonFrame fail) {
    static final Decision TAKE = new Decision(Action.TAKE, null);
  }

  /** Decides on a frame from its head. */
  interface Gate {
    /**
     * @param typeCode the frame's type byte, maybe unknown
     * @param bodyLength what the header announced, 0..MAX_BODY
     * @param head for a CALL or CALL_HEAD, the first min(24, bodyLength) body bytes; else empty
     */
    Decision decide(int typeCode, int bodyLength, byte[] head);

    /** Asked before the body buffer grows by {@code bytes}; false drops the connection. */
    boolean reserve(long bytes);

    void release(long bytes);
  }

  /** What {@link #feed} found. */
  sealed interface Event {}

  record Complete(DaemonFrame frame) implements Event {}

  record Refused(DaemonFrame fail, boolean close) implements Event {}

  private final Gate gate;
  private final byte[] header = new byte[HEADER];
  private int headerFill;
  private int typeCode;
  private int bodyLength;
  private byte[] head;
  private int headFill;
  private Decision decision;
  private byte[] body;
  private int bodyFill;
  private long skipLeft;
  private long reserved;

  FrameAssembler(Gate gate) {
    this.gate = gate;
  }

  /** True when part of a frame has arrived and the rest has not. */
  boolean midFrame() {
    return headerFill > 0;
  }

  /** Bytes held for the frame being built. */
  long held() {
    return reserved;
  }

  /** Gives back what the frame being built holds: the connection is going away. */
  void discard() {
    gate.release(reserved);
    reserved = 0;
    body = null;
    reset();
  }

  /**
   * Takes bytes from {@code in} until a frame completes or is refused (returned; the rest stays in
   * {@code in}) or {@code in} is empty (null).
   */
  Event feed(ByteBuffer in) {
    while (in.hasRemaining()) {
      if (headerFill < HEADER) {
        header[headerFill++] = in.get();
        if (headerFill == HEADER) {
          Event e = onHeader();
          if (e != null) {
            return e;
          }
        }
        continue;
      }
      if (decision == null) {
        int n = Math.min(in.remaining(), head.length - headFill);
        in.get(head, headFill, n);
        headFill += n;
        if (headFill == head.length) {
          Event e = decide();
          if (e != null) {
            return e;
          }
        }
        continue;
      }
      if (decision.action() == Action.SKIP) {
        int n = (int) Math.min(in.remaining(), skipLeft);
        in.position(in.position() + n);
        skipLeft -= n;
        if (skipLeft == 0) {
          reset();
        }
        continue;
      }
      int n = Math.min(in.remaining(), bodyLength - bodyFill);
      if (bodyFill + n > body.length) {
        int grown = (int) Math.min(bodyLength, Math.max(2L * body.length, bodyFill + n));
        if (!gate.reserve(grown - body.length)) {
          return refuse(DaemonServer.fail(busyKind(), "the daemon holds too much unread data"));
        }
        reserved += grown - body.length;
        body = Arrays.copyOf(body, grown);
      }
      in.get(body, bodyFill, n);
      bodyFill += n;
      if (bodyFill == bodyLength) {
        return complete();
      }
    }
    return null;
  }

  private Event onHeader() {
    long n =
        Integer.toUnsignedLong(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt());
    if (n < 1 || n > DaemonFrame.MAX_BODY + 1L) {
      return refuse(
          DaemonServer.fail(
              ModuleException.Kind.DAEMON,
              "bad frame length " + n + " (at most " + (DaemonFrame.MAX_BODY + 1L) + ")"));
    }
    typeCode = header[4] & 0xff;
    bodyLength = (int) n - 1;
    boolean call = typeCode == FrameType.CALL.code() || typeCode == FrameType.CALL_HEAD.code();
    int headBytes = call ? Math.min(MboxRequest.HEADER_BYTES, bodyLength) : 0;
    head = new byte[headBytes];
    headFill = 0;
    return headBytes == 0 ? decide() : null;
  }

  private Event decide() {
    decision = gate.decide(typeCode, bodyLength, head);
    switch (decision.action()) {
      case CLOSE -> {
        return refuse(decision.fail());
      }
      case SKIP -> {
        // The answer goes now; the body is let pass as it comes, unstored.
        DaemonFrame fail = decision.fail();
        skipLeft = bodyLength - head.length;
        if (skipLeft == 0) {
          reset();
        }
        return new Refused(fail, false);
      }
      case TAKE -> {
        int first = Math.min(bodyLength, Math.max(head.length, FIRST_CHUNK));
        if (!gate.reserve(first)) {
          return refuse(DaemonServer.fail(busyKind(), "the daemon holds too much unread data"));
        }
        reserved = first;
        body = Arrays.copyOf(head, first);
        bodyFill = head.length;
        return bodyFill == bodyLength ? complete() : null;
      }
    }
    throw new IllegalStateException();
  }

  private static ModuleException.Kind busyKind() {
    return ModuleException.Kind.DAEMON;
  }

  private Event complete() {
    if (typeCode == FrameType.CALL_HEAD.code()) {
      return completeHead();
    }
    byte[] b = body.length == bodyLength ? body : Arrays.copyOf(body, bodyLength);
    FrameType t = FrameType.of(typeCode);
    // What it holds stays reserved until the answer is sent: see release().
    body = null;
    reset();
    return new Complete(new DaemonFrame(t, b));
  }

  /**
   * A CALL_HEAD as its CALL: the mbox header's len bytes of payload, those that did not come zero.
   * The gate has checked that len covers what came and fits a frame.
   */
  private Event completeHead() {
    long full = MboxRequest.HEADER_BYTES + MboxRequest.Header.decode(body).len();
    if (full > body.length) {
      if (!gate.reserve(full - body.length)) {
        return refuse(DaemonServer.fail(busyKind(), "the daemon holds too much unread data"));
      }
      reserved += full - body.length;
    }
    byte[] b = new byte[(int) full];
    System.arraycopy(body, 0, b, 0, bodyLength);
    body = null;
    reset();
    return new Complete(new DaemonFrame(FrameType.CALL, b));
  }

  /** The frame handed on has been answered: its bytes are free again. */
  void releaseAnswered() {
    gate.release(reserved);
    reserved = 0;
  }

  private Refused refuse(DaemonFrame fail) {
    discard();
    return new Refused(fail, true);
  }

  private void reset() {
    headerFill = 0;
    head = null;
    headFill = 0;
    decision = null;
    bodyFill = 0;
    skipLeft = 0;
  }
}

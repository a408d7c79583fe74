package bpfilterctl.core.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A client that writes whatever bytes a test wants, to play a broken or hostile peer, and reads
 * frames back with a deadline (a blocking read in a helper thread would hang the test instead).
 */
final class RawPeer implements AutoCloseable {
  final SocketChannel ch;

  RawPeer(Path socket) throws IOException {
    ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
  }

  /** A connection to {@code socket} that has said HELLO and been welcomed. */
  static RawPeer welcomed(Path socket) throws Exception {
    RawPeer p = new RawPeer(socket);
    p.send(hello(1));
    DaemonFrame f = p.read(30_000);
    if (!describe(f).equals("WELCOME")) {
      p.close();
      throw new AssertionError("not welcomed: " + describe(f));
    }
    return p;
  }

  static byte[] hello(int pid) {
    ByteBuffer b = ByteBuffer.allocate(15).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(11).put((byte) FrameType.HELLO.code()).put(DaemonFrame.MAGIC);
    return b.putShort((short) 1).putInt(pid).array();
  }

  /** The 5-byte header and 24-byte mbox header of a CALL whose payload is {@code len} bytes. */
  static byte[] callHead(boolean set, int cmd, int len) {
    ByteBuffer b = ByteBuffer.allocate(29).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1 + 24 + len).put((byte) FrameType.CALL.code());
    return b.putLong(0).putInt(len).putInt(set ? 1 : 0).putInt(cmd).putInt(0).array();
  }

  /**
   * A {@code type} frame (CALL, or CALL_HEAD) whose mbox header says {@code len} bytes of payload
   * and which carries {@code sent} of them.
   */
  static byte[] frame(FrameType type, boolean set, int cmd, int len, byte[] sent) {
    ByteBuffer b = ByteBuffer.allocate(5 + 24 + sent.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1 + 24 + sent.length).put((byte) type.code());
    b.putLong(0).putInt(len).putInt(set ? 1 : 0).putInt(cmd).putInt(0).put(sent);
    return b.array();
  }

  RawPeer send(byte[] b) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(b);
    while (bb.hasRemaining()) {
      ch.write(bb);
    }
    return this;
  }

  /** The next frame, null at EOF; fails when nothing complete comes within {@code millis}. */
  DaemonFrame read(long millis) throws Exception {
    ch.configureBlocking(false);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    ByteBuffer h = ByteBuffer.allocate(5).order(ByteOrder.LITTLE_ENDIAN);
    if (!fill(h, deadline)) {
      return null;
    }
    ByteBuffer body = ByteBuffer.allocate(h.getInt(0) - 1);
    if (!fill(body, deadline)) {
      return null;
    }
    return new DaemonFrame(FrameType.of(h.get(4)), body.array());
  }

  private boolean fill(ByteBuffer b, long deadline) throws Exception {
    while (b.hasRemaining()) {
      int r = ch.read(b);
      if (r < 0) {
        return false;
      }
      if (r == 0) {
        if (System.nanoTime() > deadline) {
          throw new java.util.concurrent.TimeoutException("no frame in time");
        }
        Thread.sleep(5);
      }
    }
    return true;
  }

  static String describe(DaemonFrame f) {
    if (f == null) {
      return "EOF";
    }
    if (f.type() == FrameType.FAIL) {
      return "FAIL "
          + f.body()[0]
          + " "
          + new String(f.body(), 1, f.body().length - 1, StandardCharsets.UTF_8);
    }
    return f.type().name();
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}

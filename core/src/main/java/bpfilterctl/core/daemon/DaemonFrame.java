package bpfilterctl.core.daemon;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One frame of the client protocol: {@code u32 length} (of what follows), {@code u8 type}, then the
 * body; little endian like the mbox format.
 */
public record DaemonFrame(FrameType type, byte[] body) {
  /** Protocol version this build speaks; a HELLO with another one is refused. */
  public static final int VERSION = 1;

  public static final byte[] MAGIC = {'B', 'P', 'F', 'C'};

  /** No frame may be longer: a garbage length must not make us allocate gigabytes. */
  public static final int MAX_BODY = (256 << 20) + 64;

  public static DaemonFrame text(FrameType type, String s) {
    return new DaemonFrame(type, s.getBytes(StandardCharsets.UTF_8));
  }

  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  public void write(OutputStream out) throws IOException {
    out.write(encode());
    out.flush();
  }

  /** The frame as it goes on the wire: header and body. */
  /** The 5-byte header alone: the body's length + 1, and the type. */
  byte[] encodeHeader() {
    return ByteBuffer.allocate(5)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putInt(1 + body.length)
        .put((byte) type.code())
        .array();
  }

  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(5 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1 + body.length).put((byte) type.code()).put(body);
    return b.array();
  }

  /** The next frame, or null at a clean EOF between frames. */
  public static DaemonFrame read(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    byte[] len = new byte[4];
    int first = d.read(len, 0, 1);
    if (first < 0) {
      return null;
    }
    d.readFully(len, 1, 3);
    int n = ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (n < 1 || n > MAX_BODY + 1) {
      throw new IOException("bad frame length " + Integer.toUnsignedString(n));
    }
    int type = d.readUnsignedByte();
    byte[] body = new byte[n - 1];
    try {
      d.readFully(body);
    } catch (EOFException e) {
      throw new IOException("connection closed inside a frame", e);
    }
    try {
      return new DaemonFrame(FrameType.of(type), body);
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
  }
}

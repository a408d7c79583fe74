package bpfilterctl.core.mbox;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One reply on the reply pipe: a signed 32-bit status; when it is zero or positive, that many
 * payload bytes follow. A negative status is {@code -errno} and carries nothing.
 */
public record MboxReply(int status, byte[] payload) {
  public static final int HEADER_BYTES = 4;

  public MboxReply {
    if (status < 0 && payload.length != 0) {
      throw new IllegalArgumentException("an error reply carries no payload");
    }
    if (status >= 0 && payload.length != status) {
      throw new IllegalArgumentException("status " + status + " but " + payload.length + " bytes");
    }
  }

  public static MboxReply ok() {
    return new MboxReply(0, new byte[0]);
  }

  public static MboxReply ok(byte[] payload) {
    return new MboxReply(payload.length, payload);
  }

  public static MboxReply error(Errno errno) {
    return new MboxReply(errno.status(), new byte[0]);
  }

  public boolean isError() {
    return status < 0;
  }

  /** The errno name of an error reply, "ok" otherwise. */
  public String describeStatus() {
    return status < 0 ? Errno.nameOf(-status) : "ok";
  }

  public byte[] encode() {
    ByteBuffer b =
        ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(status).put(payload);
    return b.array();
  }

  public static int decodeStatus(byte[] header) {
    return ByteBuffer.wrap(header, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }
}

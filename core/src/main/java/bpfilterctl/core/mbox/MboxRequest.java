package bpfilterctl.core.mbox;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One request on the request pipe (msgfmt.h's mbox_request): a 24-byte header followed by {@code
 * len} payload bytes. The payload array is never modified after construction.
 *
 * @param addr opaque to the umh; the host uses it as a request id
 * @param isSet a setsockopt (true) or a getsockopt (false)
 * @param cmd the option number (IPT_SO_*), 0 for the handshake
 * @param pid the caller's pid
 * @param payload for a set the option value, for a get the caller's input buffer of optlen bytes
 */
public record MboxRequest(long addr, boolean isSet, int cmd, int pid, byte[] payload) {
  public static final int HEADER_BYTES = 24;

  public MboxRequest {
    if (payload == null) {
      throw new IllegalArgumentException("payload must not be null");
    }
  }

  public static MboxRequest handshake(long addr) {
    return new MboxRequest(addr, false, 0, 0, new byte[0]);
  }

  public int len() {
    return payload.length;
  }

  public boolean isHandshake() {
    return !isSet && cmd == 0 && payload.length == 0;
  }

  public String optionName() {
    return Sockopt.describe(isSet, cmd);
  }

  /** Header and payload as one buffer, ready for a single write(). */
  public byte[] encode() {
    ByteBuffer b =
        ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(header()).put(payload);
    return b.array();
  }

  /**
   * The 24-byte header alone, for a writer that sends the payload after it without first copying it
   * into one buffer (a 50k-rule GET_ENTRIES or SET_REPLACE carries 10 MiB).
   */
  public byte[] header() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(addr).putInt(payload.length).putInt(isSet ? 1 : 0).putInt(cmd).putInt(pid);
    return b.array();
  }

  /** The fixed header, decoded on its own so that the payload length can be checked first. */
  public record Header(long addr, long len, int isSet, int cmd, int pid) {
    public static Header decode(byte[] header) {
      ByteBuffer b = ByteBuffer.wrap(header, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      return new Header(
          b.getLong(), Integer.toUnsignedLong(b.getInt()), b.getInt(), b.getInt(), b.getInt());
    }

    public MboxRequest withPayload(byte[] payload) {
      return new MboxRequest(addr, isSet != 0, cmd, pid, payload);
    }
  }
}

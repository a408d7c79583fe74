package bpfilterctl.core.raw;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;
import java.util.HexFormat;

/**
 * One answer in kernel-sockopt's output format, key for key and spacing for spacing, so that the
 * two tools' outputs compare line by line: {@code {"rc": 0, "errno": null, "buf": "..", "len": 84}}
 * and, after a successful SET_REPLACE, {@code "counters"}: the old counters.
 */
public record RawAnswer(int rc, String errno, byte[] buf, byte[] counters) {

  /** What the kernel's caller would see for this call and reply. */
  public static RawAnswer of(RawCall call, MboxReply reply) {
    if (reply.isError()) {
      return new RawAnswer(-1, Errno.nameOf(-reply.status()), call.buf(), null);
    }
    if (!call.isSet()) {
      return new RawAnswer(0, null, reply.payload(), null);
    }
    boolean replace = call.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd();
    return new RawAnswer(0, null, call.buf(), replace ? reply.payload() : null);
  }

  /** A call the host could not deliver: the errno that stands for the host's reason. */
  public static RawAnswer failed(RawCall call, Errno errno) {
    return new RawAnswer(-1, errno.name(), call.buf(), null);
  }

  public String toJsonLine() {
    HexFormat hex = HexFormat.of();
    StringBuilder b = new StringBuilder();
    b.append("{\"rc\": ").append(rc);
    b.append(", \"errno\": ").append(errno == null ? "null" : "\"" + errno + "\"");
    b.append(", \"buf\": \"").append(hex.formatHex(buf)).append('"');
    b.append(", \"len\": ").append(buf.length);
    if (counters != null) {
      b.append(", \"counters\": \"").append(hex.formatHex(counters)).append('"');
    }
    return b.append('}').toString();
  }
}

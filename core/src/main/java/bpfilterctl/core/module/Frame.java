package bpfilterctl.core.module;

import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Errno;
import bpfilterctl.core.mbox.Sockopt;
import java.util.HexFormat;

/**
 * One frame that crossed the pipes, as the traffic tap publishes it.
 *
 * @param seq the tap's sequence number, gap-free across all frames
 * @param monoNanos System.nanoTime() when the frame crossed
 * @param epochMillis wall-clock time of the same moment, for display and recordings
 * @param direction request (host to umh) or reply (umh to host)
 * @param id the request id (the mbox addr field) both frames of one exchange share
 * @param umhPid the umh that took part
 * @param callerPid the caller's pid (the mbox pid field)
 * @param isSet and {@code cmd}: which option
 * @param len the request's payload length (for a reply: the request's, to compare with)
 * @param status the reply status (-errno or a byte count); 0 for a request
 * @param payload the payload, or its first bytes when it was longer than the tap keeps
 * @param payloadLength the payload's full length
 * @param latencyNanos for a reply, the round trip; 0 for a request
 */
public record Frame(
    long seq,
    long monoNanos,
    long epochMillis,
    Direction direction,
    long id,
    int umhPid,
    int callerPid,
    boolean isSet,
    int cmd,
    int len,
    int status,
    byte[] payload,
    int payloadLength,
    long latencyNanos) {

  /** Which way a frame went. */
  public enum Direction {
    REQUEST,
    REPLY
  }

  public String optionName() {
    return Sockopt.describe(isSet, cmd);
  }

  public boolean truncated() {
    return payload.length < payloadLength;
  }

  public boolean isError() {
    return direction == Direction.REPLY && status < 0;
  }

  /** One JSON object (a line of a recording or a subscription): payload in hex, maybe cut. */
  public String toJson() {
    return new JsonWriter()
        .beginObject()
        .field("seq", seq)
        .field("mono_ns", monoNanos)
        .field("epoch_ms", epochMillis)
        .field("dir", direction == Direction.REQUEST ? "request" : "reply")
        .field("id", id)
        .field("umh_pid", umhPid)
        .field("caller_pid", callerPid)
        .field("op", isSet ? "set" : "get")
        .field("cmd", cmd)
        .field("option", optionName())
        .field("len", len)
        .field("status", status)
        .field("latency_ns", latencyNanos)
        .field("payload_len", payloadLength)
        .field("payload", HexFormat.of().formatHex(payload))
        .endObject()
        .toString();
  }

  public String statusName() {
    return status < 0 ? Errno.nameOf(-status) : "ok";
  }
}

package bpfilterctl.core.module;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

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
 * @param callerComm the caller's command name (/proc/PID/comm, as the daemon saw it), "" if unknown
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
    String callerComm,
    boolean isSet,
    int cmd,
    int len,
    int status,
    byte[] payload,
    int payloadLength,
    long latencyNanos) {

  /** A builder: every field starts at zero, "" or empty, and payloadLength follows payload. */
  public static Builder builder() {
    return new Builder();
  }

  /** Names each of a frame's fields as it is set (a frame has fifteen). */
  public static final class Builder {
    private long seq;
    private long monoNanos;
    private long epochMillis;
    private Direction direction = Direction.REQUEST;
    private long id;
    private int umhPid;
    private int callerPid;
    private String callerComm = "";
    private boolean isSet;
    private int cmd;
    private int len;
    private int status;
    private byte[] payload = new byte[0];
    private int payloadLength = -1;
    private long latencyNanos;

    private Builder() {}

    public Builder seq(long v) {
      seq = v;
      return this;
    }

    public Builder monoNanos(long v) {
      monoNanos = v;
      return this;
    }

    public Builder epochMillis(long v) {
      epochMillis = v;
      return this;
    }

    public Builder direction(Direction v) {
      direction = v;
      return this;
    }

    public Builder id(long v) {
      id = v;
      return this;
    }

    public Builder umhPid(int v) {
      umhPid = v;
      return this;
    }

    public Builder callerPid(int v) {
      callerPid = v;
      return this;
    }

    public Builder callerComm(String v) {
      callerComm = v;
      return this;
    }

    /** Which option: set or get, and its number. */
    public Builder option(boolean set, int command) {
      isSet = set;
      cmd = command;
      return this;
    }

    public Builder len(int v) {
      len = v;
      return this;
    }

    public Builder status(int v) {
      status = v;
      return this;
    }

    /** The payload kept; its full length is its own length unless {@link #payloadLength} says. */
    public Builder payload(byte[] v) {
      payload = v;
      return this;
    }

    public Builder payloadLength(int v) {
      payloadLength = v;
      return this;
    }

    public Builder latencyNanos(long v) {
      latencyNanos = v;
      return this;
    }

    public Frame build() {
      return new Frame(
          seq,
          monoNanos,
          epochMillis,
          direction,
          id,
          umhPid,
          callerPid,
          callerComm,
          isSet,
          cmd,
          len,
          status,
          payload,
          payloadLength < 0 ? payload.length : payloadLength,
          latencyNanos);
    }
  }

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
        .field("caller_comm", callerComm)
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

  /**
   * Reads back what {@link #toJson()} wrote (a recording's line, a daemon's stream); keys it does
   * not know are ignored. Throws IllegalArgumentException naming the first missing or bad key.
   */
  public static Frame fromJson(String json) {
    Map<String, Object> m = JsonReader.parseObject(json);
    String dir = text(m, "dir");
    if (!dir.equals("request") && !dir.equals("reply")) {
      throw new IllegalArgumentException("\"dir\" must be \"request\" or \"reply\"");
    }
    String op = text(m, "op");
    if (!op.equals("get") && !op.equals("set")) {
      throw new IllegalArgumentException("\"op\" must be \"get\" or \"set\"");
    }
    byte[] payload;
    try {
      payload = HexFormat.of().parseHex(text(m, "payload").toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"payload\" is not hex: " + e.getMessage(), e);
    }
    long payloadLength = number(m, "payload_len");
    if (payloadLength < payload.length) {
      throw new IllegalArgumentException("\"payload_len\" is shorter than \"payload\"");
    }
    return builder()
        .seq(number(m, "seq"))
        .monoNanos(number(m, "mono_ns"))
        .epochMillis(number(m, "epoch_ms"))
        .direction(dir.equals("request") ? Direction.REQUEST : Direction.REPLY)
        .id(number(m, "id"))
        .umhPid((int) number(m, "umh_pid"))
        .callerPid((int) number(m, "caller_pid"))
        .callerComm(m.get("caller_comm") instanceof String comm ? comm : "")
        .option(op.equals("set"), (int) number(m, "cmd"))
        .len((int) number(m, "len"))
        .status((int) number(m, "status"))
        .payload(payload)
        .payloadLength((int) payloadLength)
        .latencyNanos(number(m, "latency_ns"))
        .build();
  }

  private static long number(Map<String, Object> m, String key) {
    if (m.get(key) instanceof Number n) {
      return n.longValue();
    }
    throw new IllegalArgumentException("\"" + key + "\" must be a number");
  }

  private static String text(Map<String, Object> m, String key) {
    if (m.get(key) instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("\"" + key + "\" must be a string");
  }

  public String statusName() {
    return status < 0 ? Errno.nameOf(-status) : "ok";
  }
}

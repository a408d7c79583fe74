package bpfilterctl.core.daemon;

/** The frames of the client protocol (docs/daemon-protocol.md), by their type byte. */
public enum FrameType {
  HELLO(1),
  WELCOME(2),
  CALL(3),
  REPLY(4),
  FAIL(5),
  CONTROL(6),
  TEXT(7);

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public static FrameType of(int code) {
    for (FrameType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown frame type " + code);
  }
}

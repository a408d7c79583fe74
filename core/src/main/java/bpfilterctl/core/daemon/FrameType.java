package bpfilterctl.core.daemon;

/** The frames of the client protocol (docs/daemon-protocol.md), by their type byte. */
public enum FrameType {
  HELLO(1),
  WELCOME(2),
  CALL(3),
  REPLY(4),
  FAIL(5),
  CONTROL(6),
  TEXT(7),
  /** client -> daemon: run one command line here ({@link RunRequest}). */
  RUN(8),
  /** daemon -> client, during a RUN: do this in the caller's process ({@link CallerAsk}). */
  ASK(9),
  /** client -> daemon, during a RUN: what an ASK asked for. */
  ANSWER(10),
  /** daemon -> client, during a RUN: u8 stream (1 stdout, 2 stderr) and the bytes. */
  OUTPUT(11),
  /** client -> daemon, during a RUN: Ctrl-C. */
  CANCEL(12),
  /** daemon -> client: the RUN is over; s32 exit status. */
  EXIT(13),
  /**
   * client -> daemon: a CALL cut short (its mbox header's len stays the whole payload's); the
   * daemon runs it as the CALL with the rest zeros.
   */
  CALL_HEAD(14);

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

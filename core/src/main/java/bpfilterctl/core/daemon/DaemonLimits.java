package bpfilterctl.core.daemon;

import java.time.Duration;

/**
 * What one daemon lets its clients hold, so that no client, honest or not, can make it stop
 * answering the others (docs/daemon-protocol.md, "Limits").
 *
 * @param maxConnections open client connections at most; lowered at start to fit the fd limit
 * @param maxPerUid connections one uid may hold, for uids other than 0 and the daemon's own
 * @param maxSubscriptions traffic and log streams at most (each has a thread)
 * @param helloTimeout a connection that has not finished its HELLO by then is dropped
 * @param frameIdleTimeout a connection silent this long in the middle of a frame is dropped
 * @param sendStallTimeout a connection that takes none of our bytes for this long is dropped
 * @param readerFrameBytes the longest frame body a peer with read rights only may send
 * @param bufferedBytes what all connections' unfinished frames may hold together
 * @param workers threads that answer requests (the host runs one at a time anyway)
 */
public record DaemonLimits(
    int maxConnections,
    int maxPerUid,
    int maxSubscriptions,
    Duration helloTimeout,
    Duration frameIdleTimeout,
    Duration sendStallTimeout,
    int readerFrameBytes,
    long bufferedBytes,
    int workers) {

  /** The longest body before HELLO: magic, version, pid. */
  static final int HELLO_BYTES = 64;

  /** The longest CONTROL command. */
  static final int CONTROL_BYTES = 4096;

  /** The longest RUN (command line, cwd, environment). */
  static final int RUN_BYTES = 1 << 20;

  /** Commands run for clients at once (each has a thread). */
  static final int MAX_RUNS = 64;

  public static DaemonLimits defaults() {
    return new DaemonLimits(
        1024,
        64,
        32,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        Duration.ofSeconds(30),
        64 << 20,
        (long) DaemonFrame.MAX_BODY + (256L << 20),
        4);
  }

  public DaemonLimits withMaxConnections(int max, int perUid) {
    return new DaemonLimits(
        max,
        perUid,
        maxSubscriptions,
        helloTimeout,
        frameIdleTimeout,
        sendStallTimeout,
        readerFrameBytes,
        bufferedBytes,
        workers);
  }

  public DaemonLimits withTimeouts(Duration hello, Duration frameIdle, Duration sendStall) {
    return new DaemonLimits(
        maxConnections,
        maxPerUid,
        maxSubscriptions,
        hello,
        frameIdle,
        sendStall,
        readerFrameBytes,
        bufferedBytes,
        workers);
  }
}

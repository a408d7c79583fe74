package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One request and its reply on a umh's pipes, as the wire format has them (DESIGN.md): the reply is
 * checked against what the request allows before a byte of its payload is taken, both frames go to
 * the tap, and the request's deadline is kept meanwhile.
 */
final class PipeExchange {
  private static final int IPT_REPLACE_NUM_COUNTERS_OFFSET = 84;
  private static final int XT_COUNTERS_BYTES = 16;

  /** The errno range of a status; anything more negative is garbage. */
  private static final int MIN_STATUS = -4095;

  /**
   * Each whole 4 MiB a request and its reply may carry adds one more base deadline: the umh reads,
   * checks and answers a table in proportion to its size (50k rules, ~10 MB, took over 2 s to
   * replace in a fresh umh on a loaded machine), while a small request stays on the base.
   */
  static final int BYTES_PER_EXTRA_DEADLINE = 4 << 20;

  private PipeExchange() {}

  /** Sends {@code req} to {@code p} and reads its reply, under {@code deadline}'s watch. */
  static Exchange run(
      UmhProcess p,
      MboxRequest req,
      long timeoutNanos,
      RequestDeadline deadline,
      TrafficTap tap,
      String callerComm) {
    byte[] head = req.header();
    int wire = head.length + req.payload().length;
    long t0 = System.nanoTime();
    deadline.begin(p, t0 + budget(timeoutNanos, req));
    try {
      tap.publish(Frame.Direction.REQUEST, req, callerComm, p.pid(), 0, req.payload(), 0);
      int sent = p.writeFully(head, req.payload());
      if (sent < wire) {
        return fault(deadline, Exchange.FaultKind.WRITE_FAILED, sent, wire);
      }
      byte[] header = new byte[MboxReply.HEADER_BYTES];
      int got = p.readFully(header, header.length);
      if (got < header.length) {
        return fault(deadline, Exchange.FaultKind.SHORT_REPLY, got, header.length);
      }
      int status = MboxReply.decodeStatus(header);
      if (status < MIN_STATUS) {
        return fault(deadline, Exchange.FaultKind.GARBAGE, status, 0);
      }
      int allowed = allowedReplyBytes(req);
      if (status > allowed) {
        return fault(deadline, Exchange.FaultKind.TOO_LONG, status, allowed);
      }
      byte[] payload = new byte[Math.max(status, 0)];
      got = p.readFully(payload, payload.length);
      if (got < payload.length) {
        return fault(deadline, Exchange.FaultKind.SHORT_REPLY, got, payload.length);
      }
      if (deadline.timedOut()) {
        // The umh is being killed: a late reply does not make it healthy again.
        return fault(deadline, Exchange.FaultKind.TIMEOUT, 0, 0);
      }
      long rtt = System.nanoTime() - t0;
      tap.publish(Frame.Direction.REPLY, req, callerComm, p.pid(), status, payload, rtt);
      return new Exchange.Replied(new MboxReply(status, payload), rtt);
    } finally {
      deadline.end();
    }
  }

  private static Exchange fault(RequestDeadline deadline, Exchange.FaultKind kind, long a, long b) {
    // A pipe that broke because the umh was killed for its deadline is a timeout.
    return new Exchange.Fault(deadline.timedOut() ? Exchange.FaultKind.TIMEOUT : kind, a, b);
  }

  /** The time {@code req} is given: the base, once more per {@link #BYTES_PER_EXTRA_DEADLINE}. */
  static long budget(long baseNanos, MboxRequest req) {
    long bytes = (long) req.len() + allowedReplyBytes(req);
    return baseNanos + baseNanos * (bytes / BYTES_PER_EXTRA_DEADLINE);
  }

  /** The most reply payload a request may get: the wire format's rule. */
  static int allowedReplyBytes(MboxRequest req) {
    if (!req.isSet()) {
      return req.len();
    }
    if (req.cmd() == Sockopt.IPT_SO_SET_REPLACE.cmd()
        && req.len() >= IPT_REPLACE_NUM_COUNTERS_OFFSET + 4) {
      long n =
          Integer.toUnsignedLong(
              ByteBuffer.wrap(req.payload())
                  .order(ByteOrder.LITTLE_ENDIAN)
                  .getInt(IPT_REPLACE_NUM_COUNTERS_OFFSET));
      return (int) Math.min(Integer.MAX_VALUE, n * XT_COUNTERS_BYTES);
    }
    return 0;
  }
}

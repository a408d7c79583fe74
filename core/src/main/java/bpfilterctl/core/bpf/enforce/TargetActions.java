package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.TargetEvent;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * What the umh does with each reported packet: REJECT's reply sent on a raw socket of the
 * namespace, within a budget; LOG's line written to the log, after its syslog level as {@code <N>}.
 */
public final class TargetActions implements Consumer<byte[]> {
  /** The kernel's global ICMP budget: icmp_msgs_per_sec 1000, icmp_msgs_burst 50. */
  static final int ICMP_PER_SEC = 1000;

  static final int ICMP_BURST = 50;

  /** RSTs: the kernel sends them unbounded; a bound still keeps a flood from becoming one. */
  static final int RST_PER_SEC = 10_000;

  static final int RST_BURST = 1000;

  /** Where REJECT's replies go. */
  @FunctionalInterface
  public interface Replies {
    /** Sends {@code reply}, the answer to {@code rejected}; 0 or the errno. */
    int send(byte[] reply, TargetEvent rejected);
  }

  private final Replies socket;
  private final int ttl;
  private final Consumer<String> log;
  private final TokenBucket icmp;
  private final TokenBucket rst;
  private long sendErrors;

  /**
   * {@code socket} sends a reply and answers 0 or the errno (a {@link ReplySocket}); null: no
   * replies. {@code ttl}: ip_default_ttl of the namespace (what the kernel's replies carry).
   */
  public TargetActions(Replies socket, int ttl, Consumer<String> log, LongSupplier nanos) {
    this.socket = socket;
    this.ttl = ttl;
    this.log = log;
    this.icmp = new TokenBucket(ICMP_PER_SEC, ICMP_BURST, nanos);
    this.rst = new TokenBucket(RST_PER_SEC, RST_BURST, nanos);
  }

  @Override
  public void accept(byte[] record) {
    TargetEvent ev = TargetEvent.decode(record);
    if (ev.kind() == TargetEvent.LOG) {
      log.accept("<" + ev.param() + ">" + LogLineFormatter.format(ev));
      return;
    }
    if (ev.kind() != TargetEvent.REJECT || socket == null) {
      return;
    }
    var reply = RejectReply.build(ev, ttl);
    if (reply.isEmpty()) {
      return;
    }
    TokenBucket budget = ev.param() == RejectReply.TCP_RESET ? rst : icmp;
    if (!budget.take()) {
      return;
    }
    int errno = socket.send(reply.get(), ev);
    if (errno != 0 && sendErrors++ % 1000 == 0) {
      log.accept("umh: REJECT reply not sent (errno " + errno + "), " + sendErrors + " so far");
    }
  }

  /** A token bucket of {@code rate} per second holding at most {@code burst}. */
  static final class TokenBucket {
    private final double perNano;
    private final double burst;
    private final LongSupplier nanos;
    private double tokens;
    private long last;

    TokenBucket(int rate, int burst, LongSupplier nanos) {
      this.perNano = rate / 1e9;
      this.burst = burst;
      this.nanos = nanos;
      this.tokens = burst;
      this.last = nanos.getAsLong();
    }

    boolean take() {
      long now = nanos.getAsLong();
      tokens = Math.min(burst, tokens + (now - last) * perNano);
      last = now;
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }
  }
}

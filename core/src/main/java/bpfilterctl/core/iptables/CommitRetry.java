package bpfilterctl.core.iptables;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How often, and after what pause, a command applies itself again when its commit met EAGAIN (the
 * table changed since it was read: a writer that does not take the xtables lock). Writers that keep
 * meeting each other spread out by a random pause that grows with the attempts, so the one that has
 * just committed does not win every race again while another starves.
 */
final class CommitRetry {
  /** Commits a command attempts before it reports EAGAIN, as iptables does. */
  static final int ATTEMPTS = 20;

  private static final int MAX_PAUSE_MILLIS = 20;

  private CommitRetry() {}

  /** Sleeps between 0 and {@code attempt} milliseconds (20 at most) before attempt + 1. */
  static void pause(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(Math.min(attempt, MAX_PAUSE_MILLIS) + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the attempt goes on; the caller sees the flag
    }
  }
}

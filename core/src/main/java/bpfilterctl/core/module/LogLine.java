package bpfilterctl.core.module;

import java.time.Instant;

/**
 * One line of the module's log: what a umh wrote on its stderr, or what the host itself noted about
 * it (start, exit, restart).
 *
 * @param pid the umh pid that wrote it, or the host's pid for host events
 * @param source who wrote it
 */
public record LogLine(Instant at, int pid, Source source, String text) {
  /** Who wrote a log line. */
  public enum Source {
    UMH,
    HOST
  }
}

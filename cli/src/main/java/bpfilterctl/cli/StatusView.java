package bpfilterctl.cli;

import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.LastExit;
import bpfilterctl.core.module.ModuleStatus;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The human form of a module status, as {@code status} prints it. */
public final class StatusView {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  private StatusView() {}

  public static String render(ModuleStatus s) {
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "module  %-12s umh pid %-7s up %s   starts %d  restarts %d%n",
            s.state(),
            s.umhPid() == 0 ? "-" : Integer.toString(s.umhPid()),
            s.umhPid() == 0 ? "-" : hms(s.uptimeMillis()),
            s.starts(),
            s.restarts()));
    b.append(
        String.format(
            "calls   %d (%d errors, %d timeouts)   rtt last %s  p50 %s  p99 %s%n",
            s.requests(),
            s.errors(),
            s.timeouts(),
            micros(s.lastRttNanos()),
            micros(s.p50RttNanos()),
            micros(s.p99RttNanos())));
    b.append(
        String.format(
            "umh     rss %s  cpu %d ms  load %.0f ms  image sha256:%s%n",
            mib(s.rssBytes()), s.cpuMillis(), s.loadMillis(), s.imageSha256().substring(0, 16)));
    b.append(String.format("traffic %d frames, %d dropped%n", s.tapFrames(), s.tapDrops()));
    b.append(enforcement(s.enforcement()));
    LastExit last = s.lastExit();
    if (last != null) {
      b.append(
          String.format(
              "last    umh %d %s at %s (%s)%n",
              last.pid(), last.status().describe(), TIME.format(last.at()), last.reason()));
    }
    if (!s.message().isEmpty()) {
      b.append(String.format("why     %s%n", s.message()));
    }
    if (s.nextStartInMillis() > 0) {
      b.append(String.format("next    start in %d ms%n", s.nextStartInMillis()));
    }
    return b.toString();
  }

  /**
   * "enforce ON generation 7 (priority 1)" with one line per hook (program id, instructions) and
   * the pin directory; "enforce OFF"; or "enforce UNAVAILABLE: why (the module runs unenforced)".
   */
  public static String enforcement(EnforcementStatus e) {
    StringBuilder b = new StringBuilder();
    switch (e.state()) {
      case OFF -> b.append("enforce OFF");
      case UNAVAILABLE -> b.append("enforce UNAVAILABLE (the module runs unenforced)");
      case ON ->
          b.append("enforce ON  generation ")
              .append(e.generation())
              .append("  priority ")
              .append(e.priority())
              .append(e.adopted() ? "  adopted from a previous umh" : "");
    }
    b.append(System.lineSeparator());
    for (EnforcementStatus.Hook h : e.hooks()) {
      b.append(
          String.format(
              "        %-8s prog id %-6d %s%n",
              h.chain(),
              h.programId(),
              h.instructions() < 0 ? "size unknown (adopted)" : h.instructions() + " insns"));
    }
    if (!e.pinDir().isEmpty()) {
      b.append(String.format("        pinned  %s%n", e.pinDir()));
    }
    if (e.eventsLost() >= 0) {
      b.append(
          String.format("        events  %d REJECT/LOG lost (ring buffer full)%n", e.eventsLost()));
    }
    if (!e.reason().isEmpty()) {
      b.append(String.format("        why     %s%n", e.reason()));
    }
    return b.toString();
  }

  static String hms(long millis) {
    Duration d = Duration.ofMillis(millis);
    return String.format("%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }

  public static String micros(long nanos) {
    return nanos == 0 ? "-" : (nanos + 500) / 1000 + " us";
  }

  static String mib(long bytes) {
    return bytes == 0 ? "-" : (bytes + (1 << 19)) / (1 << 20) + " MiB";
  }
}

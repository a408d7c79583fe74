package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * The one-line form of a frame, shared by the watch pane and {@code traffic show}: time, direction,
 * caller pid, option, length, status (or get/set for a request), latency, table and the summary.
 */
public final class TrafficFormat {
  private final DateTimeFormatter time;

  public TrafficFormat(ZoneId zone) {
    this.time = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(zone);
  }

  public String line(Frame f, FrameSummary s) {
    boolean req = f.direction() == Frame.Direction.REQUEST;
    return String.format(
            "%s %s %s %-26s %-6s %7d %7s  %-8s %s",
            time.format(Instant.ofEpochMilli(f.epochMillis())),
            req ? "->" : "<-",
            caller(f),
            f.optionName(),
            req ? (f.isSet() ? "set" : "get") : f.statusName(),
            req ? f.len() : f.payloadLength(),
            req ? "" : micros(f.latencyNanos()),
            s.table(),
            s.text())
        .stripTrailing();
  }

  /** The caller's pid, and its command name when the daemon knew it (a hooked iptables). */
  static String caller(Frame f) {
    String pid = String.format("%6d", f.callerPid());
    return f.callerComm().isEmpty() ? pid : pid + " " + f.callerComm();
  }

  /** Whole microseconds with the unit, milliseconds from 10 ms; "-" for none. */
  public static String micros(long nanos) {
    if (nanos <= 0) {
      return "-";
    }
    return nanos < 10_000_000 ? (nanos + 500) / 1000 + "us" : (nanos + 500_000) / 1_000_000 + "ms";
  }
}

package bpfilterctl.core.module;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.json.JsonWriter;
import java.time.Instant;
import java.util.Map;

/**
 * A snapshot of the module: what {@code status} prints and serializes.
 *
 * @param umhPid 0 when no umh runs
 * @param startedAt when the current umh started; null when none runs
 * @param uptimeMillis how long the current umh has run
 * @param starts umh starts since the host began (loads and restarts)
 * @param restarts starts that were restarts after a death
 * @param lastExit the most recent end of a umh; null when none ended yet
 * @param requests calls made through the host (pings and sockopts)
 * @param errors calls that failed on the host side (not umh error replies)
 * @param timeouts calls that got no reply in time
 * @param loadMillis how long the last start took from spawn to a healthy handshake
 * @param imageSha256 identity of what the umh executes
 * @param message why the module is FAILED or RESTARTING; empty otherwise
 * @param nextStartInMillis when RESTARTING, how long until the next start may happen
 * @param tapDrops traffic frames dropped for slow subscribers
 * @param enforcement whether the filter table is enforced by BPF programs, and how
 */
public record ModuleStatus(
    ModuleState state,
    int umhPid,
    Instant startedAt,
    long uptimeMillis,
    long starts,
    long restarts,
    LastExit lastExit,
    long requests,
    long errors,
    long timeouts,
    long lastRttNanos,
    long p50RttNanos,
    long p99RttNanos,
    long rssBytes,
    long cpuMillis,
    double loadMillis,
    String imageSha256,
    String message,
    long nextStartInMillis,
    long tapFrames,
    long tapDrops,
    EnforcementStatus enforcement) {

  /** Reads back what {@link #toJson()} wrote (a daemon's answer). */
  public static ModuleStatus fromJson(String json) {
    Map<String, Object> m = JsonReader.parseObject(json);
    LastExit last = null;
    if (m.get("last_exit") instanceof Map<?, ?> le) {
      last =
          new LastExit(
              (int) num(le.get("pid")),
              new ExitStatus((int) num(le.get("code")), (int) num(le.get("signal"))),
              Instant.parse((String) le.get("at")),
              (String) le.get("reason"));
    }
    Map<?, ?> rtt = (Map<?, ?>) m.get("rtt_ns");
    Object started = m.get("started_at");
    return new ModuleStatus(
        ModuleState.valueOf((String) m.get("state")),
        (int) num(m.get("umh_pid")),
        started == null ? null : Instant.parse((String) started),
        num(m.get("uptime_ms")),
        num(m.get("starts")),
        num(m.get("restarts")),
        last,
        num(m.get("requests")),
        num(m.get("errors")),
        num(m.get("timeouts")),
        num(rtt.get("last")),
        num(rtt.get("p50")),
        num(rtt.get("p99")),
        num(m.get("rss_bytes")),
        num(m.get("cpu_ms")),
        ((Number) m.get("load_ms")).doubleValue(),
        (String) m.get("image_sha256"),
        (String) m.get("message"),
        num(m.get("next_start_in_ms")),
        num(m.get("tap_frames")),
        num(m.get("tap_drops")),
        EnforcementStatus.fromMap((Map<?, ?>) m.get("enforcement")));
  }

  private static long num(Object o) {
    return ((Number) o).longValue();
  }

  public String toJson() {
    return toJson(null);
  }

  /** The JSON form; {@code mode} (where the module runs) comes first when given. */
  public String toJson(String mode) {
    return toJson(mode, null, false);
  }

  /**
   * The JSON form with where the module runs: {@code mode} ("embedded" or "daemon") first, and the
   * daemon's {@code socket} last (null when embedded).
   */
  public String toJson(String mode, String socket) {
    return toJson(mode, socket, true);
  }

  private String toJson(String mode, String socket, boolean withSocket) {
    JsonWriter w = new JsonWriter().beginObject();
    if (mode != null) {
      w.field("mode", mode);
    }
    w.field("state", state.name()).field("umh_pid", umhPid);
    w.name("started_at").value(startedAt == null ? null : startedAt.toString());
    w.field("uptime_ms", uptimeMillis).field("starts", starts).field("restarts", restarts);
    w.name("last_exit");
    if (lastExit == null) {
      w.nullValue();
    } else {
      w.beginObject()
          .field("pid", lastExit.pid())
          .field("code", lastExit.status().code())
          .field("signal", lastExit.status().signal())
          .field("at", lastExit.at().toString())
          .field("reason", lastExit.reason())
          .endObject();
    }
    w.field("requests", requests).field("errors", errors).field("timeouts", timeouts);
    w.name("rtt_ns")
        .beginObject()
        .field("last", lastRttNanos)
        .field("p50", p50RttNanos)
        .field("p99", p99RttNanos)
        .endObject();
    w.field("rss_bytes", rssBytes).field("cpu_ms", cpuMillis);
    w.name("load_ms").value(loadMillis);
    w.field("image_sha256", imageSha256).field("message", message);
    w.field("next_start_in_ms", nextStartInMillis);
    w.field("tap_frames", tapFrames).field("tap_drops", tapDrops);
    w.name("enforcement").raw(enforcement.toJson());
    if (withSocket) {
      w.name("socket").value(socket);
    }
    return w.endObject().toString();
  }
}

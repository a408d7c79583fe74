package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The JSON texts the daemon sends (status, frames, log lines) are part of its protocol: other
 * daemons and recordings read them. The expected strings here were written by the hand-made writer
 * the project had before it moved to Jackson: the move must not change a byte.
 */
class WireJsonTest {
  static final Instant AT = Instant.parse("2026-12-02T07:10:56.123456789Z");

  static final String FRAME =
      "{\"seq\":7,\"mono_ns\":123456789012,\"epoch_ms\":1764659456123,\"dir\":\"reply\",\"id\":42,\"umh_pid\":4811,\"caller_pid\":4812,\"caller_comm\":\"ipt\\\"a\\\\b\\u0001\\u001a\\u0008\\u000c\\n\\t\\ré\",\"op\":\"get\",\"cmd\":64,\"option\":\"IPT_SO_GET_INFO\",\"len\":84,\"status\":-2,\"latency_ns\":14000,\"payload_len\":84,\"payload\":\"6669ff\"}";
  static final String LOG =
      "{\"at\":\"2026-12-02T07:10:56.123456789Z\",\"pid\":48211,\"source\":\"umh\",\"text\":\"filter replaced:\\t6 entries \\\"ok\\\"\"}";
  static final String STATUS_DAEMON =
      "{\"mode\":\"daemon\",\"state\":\"HEALTHY\",\"umh_pid\":48211,\"started_at\":\"2026-12-02T07:10:56.123456789Z\",\"uptime_ms\":133000,\"starts\":2,\"restarts\":1,\"last_exit\":{\"pid\":48000,\"code\":0,\"signal\":9,\"at\":\"2026-12-02T07:10:56.123456789Z\",\"reason\":\"killed\"},\"requests\":9223372036854775807,\"errors\":0,\"timeouts\":-1,\"rtt_ns\":{\"last\":18000,\"p50\":18000,\"p99\":95000},\"rss_bytes\":42991616,\"cpu_ms\":1234,\"load_ms\":61.5,\"image_sha256\":\"abababababababababababababababababababababababababababababababab\",\"message\":\"\",\"next_start_in_ms\":0,\"tap_frames\":9,\"tap_drops\":0,\"enforcement\":{\"state\":\"OFF\",\"reason\":\"\",\"generation\":0,\"priority\":0,\"adopted\":false,\"pin_dir\":\"\",\"hooks\":[],\"events_lost\":-1},\"socket\":\"/tmp/d.sock\"}";
  static final String STATUS =
      "{\"state\":\"HEALTHY\",\"umh_pid\":48211,\"started_at\":\"2026-12-02T07:10:56.123456789Z\",\"uptime_ms\":133000,\"starts\":2,\"restarts\":1,\"last_exit\":{\"pid\":48000,\"code\":0,\"signal\":9,\"at\":\"2026-12-02T07:10:56.123456789Z\",\"reason\":\"killed\"},\"requests\":9223372036854775807,\"errors\":0,\"timeouts\":-1,\"rtt_ns\":{\"last\":18000,\"p50\":18000,\"p99\":95000},\"rss_bytes\":42991616,\"cpu_ms\":1234,\"load_ms\":61.5,\"image_sha256\":\"abababababababababababababababababababababababababababababababab\",\"message\":\"\",\"next_start_in_ms\":0,\"tap_frames\":9,\"tap_drops\":0,\"enforcement\":{\"state\":\"OFF\",\"reason\":\"\",\"generation\":0,\"priority\":0,\"adopted\":false,\"pin_dir\":\"\",\"hooks\":[],\"events_lost\":-1}}";

  static Frame reply() {
    return Frame.builder()
        .seq(7)
        .monoNanos(123_456_789_012L)
        .epochMillis(1_764_659_456_123L)
        .direction(Frame.Direction.REPLY)
        .id(42)
        .umhPid(4811)
        .callerPid(4812)
        .callerComm("ipt\"a\\b\u0001\u001a\b\f\n\t\ré")
        .option(false, 64)
        .len(84)
        .status(-2)
        .payload(new byte[] {0x66, 0x69, (byte) 0xff})
        .payloadLength(84)
        .latencyNanos(14_000)
        .build();
  }

  static ModuleStatus status() {
    return new ModuleStatus(
        ModuleState.HEALTHY,
        48211,
        AT,
        133_000,
        2,
        1,
        new LastExit(48000, new ExitStatus(0, 9), AT, "killed"),
        Long.MAX_VALUE,
        0,
        -1,
        18_000,
        18_000,
        95_000,
        41L << 20,
        1234,
        61.5,
        "ab".repeat(32),
        "",
        0,
        9,
        0,
        EnforcementStatus.OFF);
  }

  @Test
  void aFrameIsWrittenByteForByteAsBeforeAndReadsBack() {
    String json = reply().toJson();
    assertThat(json).isEqualTo(FRAME);
    Frame back = Frame.fromJson(json);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.callerComm()).isEqualTo(reply().callerComm());
    assertThat(back.payload()).containsExactly(reply().payload());
  }

  @Test
  void aLogLineIsWrittenByteForByteAsBeforeAndReadsBack() {
    LogLine l = new LogLine(AT, 48211, LogLine.Source.UMH, "filter replaced:\t6 entries \"ok\"");
    assertThat(l.toJson()).isEqualTo(LOG);
    assertThat(LogLine.fromJson(l.toJson())).isEqualTo(l);
  }

  @Test
  void aStatusIsWrittenByteForByteAsBeforeAndReadsBack() {
    ModuleStatus s = status();
    assertThat(s.toJson("daemon", "/tmp/d.sock")).isEqualTo(STATUS_DAEMON);
    assertThat(s.toJson()).isEqualTo(STATUS);
    assertThat(ModuleStatus.fromJson(s.toJson("daemon", "/tmp/d.sock"))).isEqualTo(s);
  }
}

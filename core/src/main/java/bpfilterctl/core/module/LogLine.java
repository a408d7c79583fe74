package bpfilterctl.core.module;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.json.JsonWriter;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * One line of the module's log: what a umh wrote on its stderr, or what the host itself noted about
 * it (start, exit, restart).
 *
 * @param pid the umh pid that wrote it, or the host's pid for host events
 * @param source who wrote it
 */
public record LogLine(Instant at, int pid, Source source, String text) {
  public String toJson() {
    return new JsonWriter()
        .beginObject()
        .field("at", at.toString())
        .field("pid", pid)
        .field("source", source.name().toLowerCase(Locale.ROOT))
        .field("text", text)
        .endObject()
        .toString();
  }

  public static LogLine fromJson(String json) {
    Map<String, Object> m = JsonReader.parseObject(json);
    return new LogLine(
        Instant.parse((String) m.get("at")),
        ((Number) m.get("pid")).intValue(),
        Source.valueOf(((String) m.get("source")).toUpperCase(Locale.ROOT)),
        (String) m.get("text"));
  }

  /** Who wrote a log line. */
  public enum Source {
    UMH,
    HOST
  }
}

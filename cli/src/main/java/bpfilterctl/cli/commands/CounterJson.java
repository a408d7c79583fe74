package bpfilterctl.cli.commands;

import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.uapi.XtCounters;

/** An xt_counters as {@code {"packets": N, "bytes": N}}, both u64 (never negative). */
final class CounterJson {
  private CounterJson() {}

  static JsonWriter write(JsonWriter w, XtCounters c) {
    return w.beginObject()
        .fieldUnsigned("packets", c.pcnt())
        .fieldUnsigned("bytes", c.bcnt())
        .endObject();
  }
}

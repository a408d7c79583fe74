package bpfilterctl.core.inspect;

import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptGetinfo;
import java.util.ArrayList;
import java.util.List;

/**
 * ipt_getinfo (IPT_SO_GET_INFO's answer) as an admin reads it, and as JSON with stable keys: {@code
 * name}, {@code valid_hooks} (the mask), {@code hooks} (its names), {@code hook_entry} and {@code
 * underflow} (objects keyed by hook name), {@code num_entries}, {@code size}.
 */
public final class InfoView {
  /** What the kernel leaves in hook_entry and underflow of a hook the table lacks. */
  private static final int NO_HOOK = 0xffffffff;

  private InfoView() {}

  /**
   * The hooks worth showing: the valid ones, and any other whose offsets are not the kernel's
   * "none" (a malformed answer must not hide them).
   */
  static List<Hook> shownHooks(IptGetinfo info) {
    List<Hook> out = new ArrayList<>();
    int[] entry = info.hookEntry();
    int[] under = info.underflow();
    for (Hook h : Hook.values()) {
      int i = h.ordinal();
      if ((info.validHooks() & h.bit()) != 0 || entry[i] != NO_HOOK || under[i] != NO_HOOK) {
        out.add(h);
      }
    }
    return out;
  }

  public static String text(IptGetinfo info) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("table        %s%n", info.name()));
    b.append(
        String.format(
            "valid_hooks  0x%02x %s%n",
            info.validHooks(), Bits.joined(Bits.hooks(info.validHooks()))));
    b.append(String.format("%-12s %10s %10s%n", "hook", "hook_entry", "underflow"));
    int[] entry = info.hookEntry();
    int[] under = info.underflow();
    for (Hook h : shownHooks(info)) {
      b.append(
          String.format(
              "  %-10s %10s %10s%s%n",
              h.name(),
              offset(entry[h.ordinal()]),
              offset(under[h.ordinal()]),
              (info.validHooks() & h.bit()) == 0 ? "  (not in valid_hooks)" : ""));
    }
    b.append(String.format("num_entries  %d%n", Integer.toUnsignedLong(info.numEntries())));
    b.append(String.format("size         %d%n", Integer.toUnsignedLong(info.size())));
    return b.toString();
  }

  public static String json(IptGetinfo info) {
    return write(new JsonWriter(), info).toString();
  }

  /** Writes the info object into {@code w}, for callers that nest it. */
  public static JsonWriter write(JsonWriter w, IptGetinfo info) {
    w.beginObject()
        .field("name", info.name())
        .field("valid_hooks", Integer.toUnsignedLong(info.validHooks()));
    w.name("hooks").beginArray();
    Bits.hooks(info.validHooks()).forEach(w::value);
    w.endArray();
    hookObject(w.name("hook_entry"), info, info.hookEntry());
    hookObject(w.name("underflow"), info, info.underflow());
    return w.field("num_entries", Integer.toUnsignedLong(info.numEntries()))
        .field("size", Integer.toUnsignedLong(info.size()))
        .endObject();
  }

  private static void hookObject(JsonWriter w, IptGetinfo info, int[] offsets) {
    w.beginObject();
    for (Hook h : shownHooks(info)) {
      w.field(h.name(), Integer.toUnsignedLong(offsets[h.ordinal()]));
    }
    w.endObject();
  }

  private static String offset(int v) {
    return v == NO_HOOK ? "-" : Long.toString(Integer.toUnsignedLong(v));
  }
}

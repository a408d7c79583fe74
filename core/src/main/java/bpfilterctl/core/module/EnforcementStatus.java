package bpfilterctl.core.module;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.json.JsonWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether the filter table is enforced by BPF programs, as the umh reports it (its answer to
 * BPF_SO_GET_ENFORCEMENT) and {@code status} shows it.
 *
 * @param state OFF (not asked for), ON (programs attached), UNAVAILABLE (asked for, but this
 *     machine or this table cannot: {@code reason} says why; the module runs unenforced)
 * @param reason why enforcement is unavailable, or why the last {@code enforce on} was refused
 * @param generation the number of the live generation (0: none)
 * @param priority the netfilter priority it is attached at
 * @param adopted left attached by a previous umh and taken over by this one
 * @param pinDir where its pins are; empty when it is not pinned
 * @param hooks one per attached hook
 * @param eventsLost REJECT and LOG records the programs could not hand to the umh because its ring
 *     buffer was full (those packets were still dropped or passed, unanswered or unlogged); -1
 *     while no table with REJECT or LOG has made the ring buffer
 */
public record EnforcementStatus(
    State state,
    String reason,
    long generation,
    int priority,
    boolean adopted,
    String pinDir,
    List<Hook> hooks,
    long eventsLost) {

  /** What the status says. */
  public enum State {
    OFF,
    ON,
    UNAVAILABLE
  }

  /**
   * One attached program.
   *
   * @param chain the built-in chain of the hook (INPUT, FORWARD, OUTPUT)
   * @param programId the kernel's program id (bpftool prog show id N)
   * @param instructions its length; -1 when unknown (an adopted generation)
   */
  public record Hook(String chain, int programId, int instructions) {}

  public static final EnforcementStatus OFF =
      new EnforcementStatus(State.OFF, "", 0, 0, false, "", List.of(), -1);

  public EnforcementStatus {
    hooks = List.copyOf(hooks);
  }

  public static EnforcementStatus unavailable(String reason) {
    return new EnforcementStatus(State.UNAVAILABLE, reason, 0, 0, false, "", List.of(), -1);
  }

  /** The same status with another reason (a refused {@code enforce on}). */
  public EnforcementStatus withReason(String why) {
    return new EnforcementStatus(
        state, why, generation, priority, adopted, pinDir, hooks, eventsLost);
  }

  /** One line: "ON gen 7 (INPUT 41 insns, ...)", "OFF", "UNAVAILABLE: why". */
  public String summary() {
    return switch (state) {
      case OFF -> reason.isEmpty() ? "OFF" : "OFF (" + reason + ")";
      case UNAVAILABLE -> "UNAVAILABLE: " + reason;
      case ON -> "ON generation " + generation + (adopted ? " (adopted)" : "");
    };
  }

  public String toJson() {
    JsonWriter w = new JsonWriter().beginObject();
    w.field("state", state.name()).field("reason", reason).field("generation", generation);
    w.field("priority", priority).field("adopted", adopted).field("pin_dir", pinDir);
    w.name("hooks").beginArray();
    for (Hook h : hooks) {
      w.beginObject()
          .field("chain", h.chain())
          .field("prog_id", h.programId())
          .field("insns", h.instructions())
          .endObject();
    }
    return w.endArray().field("events_lost", eventsLost).endObject().toString();
  }

  public static EnforcementStatus fromJson(String json) {
    return fromMap(JsonReader.parseObject(json));
  }

  /** From a parsed object (a field of a status); null or absent (an older daemon) is OFF. */
  static EnforcementStatus fromMap(Map<?, ?> m) {
    if (m == null) {
      return OFF;
    }
    List<Hook> hooks = new ArrayList<>();
    if (m.get("hooks") instanceof List<?> l) {
      for (Object o : l) {
        Map<?, ?> h = (Map<?, ?>) o;
        hooks.add(
            new Hook(
                (String) h.get("chain"), (int) num(h.get("prog_id")), (int) num(h.get("insns"))));
      }
    }
    return new EnforcementStatus(
        State.valueOf((String) m.get("state")),
        (String) m.get("reason"),
        num(m.get("generation")),
        (int) num(m.get("priority")),
        Boolean.TRUE.equals(m.get("adopted")),
        (String) m.get("pin_dir"),
        hooks,
        m.get("events_lost") == null ? -1 : num(m.get("events_lost")));
  }

  private static long num(Object o) {
    return ((Number) o).longValue();
  }
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;

/**
 * How one recorded request fared when sent again.
 *
 * @param request the recorded request
 * @param kind whether its answer matched the recorded reply
 * @param why for DIFFERS, what differs; for SKIPPED, why it was not sent; empty for SAME
 */
public record ReplayOutcome(Frame request, Kind kind, String why) {
  /** The three ways a replayed request can end. */
  public enum Kind {
    SAME,
    DIFFERS,
    SKIPPED
  }
}

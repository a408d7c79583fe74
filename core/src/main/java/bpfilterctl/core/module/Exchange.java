package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;

/** How one request/reply on the pipes went: a reply, or a protocol fault. */
sealed interface Exchange {
  record Replied(MboxReply reply, long nanos) implements Exchange {}

  /**
   * A fault; {@code a} and {@code b} are the counts that describe it (got/wanted, status/allowed).
   */
  record Fault(FaultKind kind, long a, long b) implements Exchange {
    String describe(long timeoutMillis) {
      return switch (kind) {
        case WRITE_FAILED -> "took only " + a + " of " + b + " request bytes";
        case SHORT_REPLY ->
            a == 0
                ? "closed its reply pipe without answering"
                : "sent a short reply (" + a + " of " + b + " bytes)";
        case GARBAGE -> "sent a garbage status " + a;
        case TOO_LONG -> "announced a " + a + "-byte reply where at most " + b + " are allowed";
        case TIMEOUT -> "did not answer within " + timeoutMillis + " ms";
      };
    }
  }

  /** The protocol faults; each kills the umh. */
  enum FaultKind {
    WRITE_FAILED(ModuleException.Kind.UMH_DIED, "died"),
    SHORT_REPLY(ModuleException.Kind.UMH_DIED, "short reply"),
    GARBAGE(ModuleException.Kind.PROTOCOL, "killed: garbage"),
    TOO_LONG(ModuleException.Kind.PROTOCOL, "killed: reply too long"),
    TIMEOUT(ModuleException.Kind.TIMEOUT, "killed: timeout");

    private final ModuleException.Kind errorKind;
    private final String reason;

    FaultKind(ModuleException.Kind errorKind, String reason) {
      this.errorKind = errorKind;
      this.reason = reason;
    }

    ModuleException.Kind errorKind() {
      return errorKind;
    }

    String reason() {
      return reason;
    }
  }
}

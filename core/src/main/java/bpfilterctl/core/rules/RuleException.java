package bpfilterctl.core.rules;

/**
 * A refusal of the iptables front-end, with iptables' wording and exit status: {@link
 * Status#PARAMETER} (2, a bad command line, "Try `iptables -h'..." follows) or {@link Status#OTHER}
 * (1, e.g. what the kernel refused).
 */
public final class RuleException extends Exception {
  private static final long serialVersionUID = 1L;

  /** xtables_exittype: OTHER_PROBLEM is 1, PARAMETER_PROBLEM is 2. */
  public enum Status {
    OTHER(1),
    PARAMETER(2),
    /** RESOURCE_PROBLEM: the module could not be reached (exit 4 in iptables). */
    RESOURCE(4);

    private final int exitCode;

    Status(int exitCode) {
      this.exitCode = exitCode;
    }

    public int exitCode() {
      return exitCode;
    }
  }

  private final Status status;

  public RuleException(Status status, String message) {
    super(message);
    this.status = status;
  }

  /** A bad parameter: exit status 2. Trailing newlines, as iptables' format strings have, go. */
  public static RuleException parameter(String message) {
    return new RuleException(Status.PARAMETER, strip(message));
  }

  /** Any other problem: exit status 1. */
  public static RuleException other(String message) {
    return new RuleException(Status.OTHER, strip(message));
  }

  private static String strip(String m) {
    return m.endsWith("\n") ? m.substring(0, m.length() - 1) : m;
  }

  public Status status() {
    return status;
  }
}

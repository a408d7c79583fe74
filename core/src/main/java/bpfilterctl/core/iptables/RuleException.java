package bpfilterctl.core.iptables;

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
  private boolean bare;

  public RuleException(Status status, String message) {
    super(message);
    this.status = status;
  }

  /**
   * A bad parameter: exit status 2. The message is kept as iptables formats it, a trailing newline
   * included where its format string has one (iptables then prints an empty line after it).
   */
  public static RuleException parameter(String message) {
    return new RuleException(Status.PARAMETER, message);
  }

  /** Any other problem: exit status 1. */
  public static RuleException other(String message) {
    return new RuleException(Status.OTHER, message);
  }

  /**
   * Marks a message that iptables prints without its "iptables v1.8.9 (legacy): " prefix ("Bad
   * argument `x'", or none at all before the "Try `iptables -h'" line).
   */
  public RuleException bare() {
    bare = true;
    return this;
  }

  public boolean isBare() {
    return bare;
  }

  public Status status() {
    return status;
  }
}

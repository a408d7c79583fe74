package bpfilterctl.core.bpf.enforce;

/** Enforcement cannot run on this machine; the message says why, in one line. */
public final class EnforcementUnavailable extends Exception {
  private static final long serialVersionUID = 1L;

  public EnforcementUnavailable(String why) {
    super(why);
  }
}

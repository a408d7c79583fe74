package bpfilterctl.core.uapi;

/**
 * The int of a standard target: negative is {@code -verdict - 1} of a netfilter verdict (or
 * XT_RETURN), zero or positive a jump to that byte offset in the table's entries.
 */
public final class Verdict {
  public static final int NF_DROP = 0;
  public static final int NF_ACCEPT = 1;
  public static final int NF_QUEUE = 3;
  public static final int NF_REPEAT = 4;

  public static final int DROP = -NF_DROP - 1;
  public static final int ACCEPT = -NF_ACCEPT - 1;
  public static final int QUEUE = -NF_QUEUE - 1;
  public static final int RETURN = -NF_REPEAT - 1;

  private Verdict() {}

  /** The kernel's xt_verdict_ok: a jump, or ACCEPT, DROP, QUEUE, RETURN. */
  public static boolean isValid(int verdict) {
    return verdict > 0
        || verdict == RETURN
        || verdict == ACCEPT
        || verdict == DROP
        || verdict == QUEUE;
  }

  public static boolean isJump(int verdict) {
    return verdict >= 0;
  }
}

package bpfilterctl.core.kernel;

/** The netfilter IPv4 hooks as the bits of a hook mask (1 << NF_INET_*). */
public final class Hook {
  public static final int PRE_ROUTING = 1;
  public static final int LOCAL_IN = 1 << 1;
  public static final int FORWARD = 1 << 2;
  public static final int LOCAL_OUT = 1 << 3;
  public static final int POST_ROUTING = 1 << 4;

  private Hook() {}
}

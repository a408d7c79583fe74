package bpfilterctl.core.uapi;

/** IP protocol numbers that extensions require of their rule (ipt_ip.proto). */
public final class Proto {
  public static final int ICMP = 1;
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int DCCP = 33;
  public static final int ESP = 50;
  public static final int AH = 51;
  public static final int COMP = 108;
  public static final int SCTP = 132;
  public static final int UDPLITE = 136;

  private Proto() {}
}

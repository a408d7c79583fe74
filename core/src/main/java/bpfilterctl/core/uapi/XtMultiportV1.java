package bpfilterctl.core.uapi;

/**
 * struct xt_multiport_v1 (xt_multiport.h): u8 flags, count; u16 ports[15]; u8 pflags[15], invert
 * (48 bytes); revision 0's xt_multiport stops after the ports (32). flags is one of
 * XT_MULTIPORT_SOURCE, _DESTINATION, _EITHER.
 */
public final class XtMultiportV1 {
  public static final int SIZE = 48;
  public static final int SIZE_V0 = 32;

  /** XT_MULTI_PORTS. */
  public static final int MULTI_PORTS = 15;

  public static final int SOURCE = 0;
  public static final int DESTINATION = 1;
  public static final int EITHER = 2;

  public static final int OFF_PORTS = 2;
  public static final int OFF_PFLAGS = OFF_PORTS + 2 * MULTI_PORTS;

  private XtMultiportV1() {}
}

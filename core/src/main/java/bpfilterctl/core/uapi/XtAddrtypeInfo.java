package bpfilterctl.core.uapi;

/**
 * struct xt_addrtype_info (revision 0: u16 source, dest; u32 invert_source, invert_dest; 12 bytes)
 * and xt_addrtype_info_v1 (u16 source, dest; u32 flags; 8 bytes) of xt_addrtype.h.
 */
public final class XtAddrtypeInfo {
  public static final int SIZE = 12;
  public static final int SIZE_V1 = 8;

  /** v1's flags: XT_ADDRTYPE_INVERT_SOURCE .. XT_ADDRTYPE_LIMIT_IFACE_OUT. */
  public static final int INVERT_SOURCE = 0x1;

  public static final int INVERT_DEST = 0x2;
  public static final int LIMIT_IFACE_IN = 0x4;
  public static final int LIMIT_IFACE_OUT = 0x8;

  private XtAddrtypeInfo() {}
}

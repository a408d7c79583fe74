package bpfilterctl.core.uapi;

/**
 * struct xt_owner_match_info (xt_owner.h): u32 uid_min, uid_max, gid_min, gid_max; u8 match, invert
 * (20 bytes); match and invert hold the XT_OWNER_* bits.
 */
public final class XtOwnerMatchInfo {
  public static final int SIZE = 20;

  public static final int UID = 0x1;
  public static final int GID = 0x2;
  public static final int SOCKET = 0x4;
  public static final int SUPPL_GROUPS = 0x8;

  /** XT_OWNER_MASK: the bits the kernel accepts. */
  public static final int MASK = UID | GID | SOCKET | SUPPL_GROUPS;

  private XtOwnerMatchInfo() {}
}

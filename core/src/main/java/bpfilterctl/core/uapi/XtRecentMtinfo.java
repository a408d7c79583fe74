package bpfilterctl.core.uapi;

/**
 * struct xt_recent_mtinfo (xt_recent.h), for the kernel's checks and the front-end alike: u32
 * seconds, hit_count; u8 check_set, invert; char name[200]; u8 side (212 bytes); revision 1's
 * xt_recent_mtinfo_v1 adds a union nf_inet_addr mask (228).
 */
public final class XtRecentMtinfo {
  public static final int SIZE = 212;
  public static final int SIZE_V1 = 228;

  public static final int OFF_SECONDS = 0;
  public static final int OFF_HIT_COUNT = 4;
  public static final int OFF_CHECK_SET = 8;
  public static final int OFF_INVERT = 9;
  public static final int OFF_NAME = 10;
  public static final int OFF_SIDE = 210;
  public static final int OFF_MASK = 212;

  /** XT_RECENT_NAME_LEN. */
  public static final int NAME_LEN = 200;

  /** check_set: XT_RECENT_CHECK .. XT_RECENT_REAP. */
  public static final int CHECK = 1;

  public static final int SET = 2;
  public static final int UPDATE = 4;
  public static final int REMOVE = 8;
  public static final int TTL = 16;
  public static final int REAP = 32;

  /** XT_RECENT_VALID_FLAGS. */
  public static final int VALID_FLAGS = CHECK | SET | UPDATE | REMOVE | TTL | REAP;

  /** XT_RECENT_MODIFIERS: the bits only CHECK and UPDATE may carry. */
  public static final int MODIFIERS = TTL | REAP;

  /** side: XT_RECENT_SOURCE, XT_RECENT_DEST. */
  public static final int SOURCE = 0;

  public static final int DEST = 1;

  private XtRecentMtinfo() {}
}

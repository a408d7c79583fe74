package bpfilterctl.core.uapi;

/**
 * struct xt_hashlimit_mtinfo1/2/3 (xt_hashlimit.h), for the kernel's checks and the front-end
 * alike: a table name, a config (hashlimit_cfg1/2/3) and the kernel's table pointer, which user
 * space never sees back (so the user size stops before it).
 */
public final class XtHashlimitMtinfo {
  /** Sizes and user sizes of revisions 1, 2 and 3. */
  public static final int SIZE_V1 = 56;

  public static final int USER_SIZE_V1 = 48;
  public static final int SIZE_V2 = 64;
  public static final int USER_SIZE_V2 = 56;
  public static final int SIZE_V3 = 312;
  public static final int USER_SIZE_V3 = 304;

  /** The name: 16 bytes in revisions 1 and 2, 255 from revision 3 (the config then at 256). */
  public static final int NAME_LEN_V1 = 16;

  public static final int NAME_LEN = 255;
  public static final int OFF_CFG_V1 = 16;
  public static final int OFF_CFG = 256;

  /** hashlimit_cfg1, from the config's start: u32 mode, avg, burst, size, max, gc, expire. */
  public static final int CFG1_MODE = 0;

  public static final int CFG1_AVG = 4;
  public static final int CFG1_BURST = 8;
  public static final int CFG1_GC_INTERVAL = 20;
  public static final int CFG1_EXPIRE = 24;
  public static final int CFG1_SRCMASK = 28;

  /** hashlimit_cfg2/3, from the config's start: u64 avg, burst; u32 mode, size, max, gc, expire. */
  public static final int CFG_AVG = 0;

  public static final int CFG_BURST = 8;
  public static final int CFG_MODE = 16;
  public static final int CFG_SIZE = 20;
  public static final int CFG_MAX = 24;
  public static final int CFG_GC_INTERVAL = 28;
  public static final int CFG_EXPIRE = 32;

  /** cfg3's u32 interval; cfg2's masks sit where it is. */
  public static final int CFG_INTERVAL = 36;

  public static final int CFG2_SRCMASK = 36;
  public static final int CFG3_SRCMASK = 40;

  /** Revision 3's fields, from the start of the struct. */
  public static final int OFF_AVG = OFF_CFG + CFG_AVG;

  public static final int OFF_BURST = OFF_CFG + CFG_BURST;
  public static final int OFF_MODE = OFF_CFG + CFG_MODE;
  public static final int OFF_SIZE = OFF_CFG + CFG_SIZE;
  public static final int OFF_MAX = OFF_CFG + CFG_MAX;
  public static final int OFF_GC_INTERVAL = OFF_CFG + CFG_GC_INTERVAL;
  public static final int OFF_EXPIRE = OFF_CFG + CFG_EXPIRE;
  public static final int OFF_INTERVAL = OFF_CFG + CFG_INTERVAL;
  public static final int OFF_SRCMASK = OFF_CFG + CFG3_SRCMASK;
  public static final int OFF_DSTMASK = OFF_SRCMASK + 1;

  /** mode: XT_HASHLIMIT_HASH_DIP .. XT_HASHLIMIT_RATE_MATCH. */
  public static final int HASH_DIP = 1;

  public static final int HASH_DPT = 2;
  public static final int HASH_SIP = 4;
  public static final int HASH_SPT = 8;
  public static final int INVERT = 16;
  public static final int BYTES = 32;
  public static final int RATE_MATCH = 64;

  /** The mode bits the kernel accepts (XT_HASHLIMIT_ALL and the flags). */
  public static final int MODE_ALL = 0x7f;

  private XtHashlimitMtinfo() {}
}

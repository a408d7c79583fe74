package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.XtHashlimitMtinfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_hashlimit.c revisions 1..3: a table name (16 bytes, 255 from revision 3), a config (struct
 * hashlimit_cfg1/2/3) and the kernel's table pointer, which user space never sees back.
 */
final class HashlimitCheck {
  static final long HZ = LimitCheck.HZ;
  static final long SCALE_V1 = 10000;
  static final long SCALE_V2 = 1000000;
  static final long CPJ_V1 = Long.highestOneBit(0xFFFFFFFFL / (HZ * 60 * 60 * 24));
  static final long CPJ = Long.highestOneBit(Long.divideUnsigned(-1L, HZ * 60 * 60 * 24));
  static final long CPJ_BYTES = Long.highestOneBit(0xFFFFFFFFL / HZ);

  /** Where the fields of one revision's config lie. */
  record Layout(int revision, int nameLen, int cfg) {
    boolean wide() {
      return revision >= 2;
    }
  }

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("hashlimit", 1, XtHashlimitMtinfo.SIZE_V1)
              .ipv4()
              .user(XtHashlimitMtinfo.USER_SIZE_V1)
              .check(
                  (c, d) ->
                      check(
                          d,
                          new Layout(
                              1, XtHashlimitMtinfo.NAME_LEN_V1, XtHashlimitMtinfo.OFF_CFG_V1))),
          Xt.match("hashlimit", 2, XtHashlimitMtinfo.SIZE_V2)
              .ipv4()
              .user(XtHashlimitMtinfo.USER_SIZE_V2)
              .check(
                  (c, d) ->
                      check(
                          d,
                          new Layout(
                              2, XtHashlimitMtinfo.NAME_LEN_V1, XtHashlimitMtinfo.OFF_CFG_V1))),
          Xt.match("hashlimit", 3, XtHashlimitMtinfo.SIZE_V3)
              .ipv4()
              .user(XtHashlimitMtinfo.USER_SIZE_V3)
              .check(
                  (c, d) ->
                      check(
                          d, new Layout(3, XtHashlimitMtinfo.NAME_LEN, XtHashlimitMtinfo.OFF_CFG)))
              .normalizes(HashlimitCheck::clampV3));

  /** HASHLIMIT_MAX_SIZE: larger table sizes and entry counts are truncated, with a warning. */
  static final long MAX_SIZE = 1048576;

  private HashlimitCheck() {}

  /** Revision 3's config is the rule's own data, so the truncation of size and max shows. */
  static void clampV3(ByteBuffer d) {
    for (int off : new int[] {XtHashlimitMtinfo.OFF_SIZE, XtHashlimitMtinfo.OFF_MAX}) {
      if ((d.getInt(off) & 0xffffffffL) > MAX_SIZE) {
        d.putInt(off, (int) MAX_SIZE);
      }
    }
  }

  /**
   * v1's config is {u32 mode, avg, burst, size, max, gc_interval, expire; u8 srcmask, dstmask};
   * v2/v3 start with u64 avg, burst, then u32 mode, size, max, gc_interval, expire (, interval),
   * masks. The kernel widens every revision to hashlimit_cfg3 and checks that, in this order.
   */
  static Optional<Errno> check(ByteBuffer d, Layout l) {
    Optional<Errno> name = ProcName.check(d, 0, l.nameLen());
    if (name.isPresent()) {
      return name;
    }
    int c = l.cfg();
    int gc =
        d.getInt(
            c
                + (l.wide()
                    ? XtHashlimitMtinfo.CFG_GC_INTERVAL
                    : XtHashlimitMtinfo.CFG1_GC_INTERVAL));
    int expire =
        d.getInt(c + (l.wide() ? XtHashlimitMtinfo.CFG_EXPIRE : XtHashlimitMtinfo.CFG1_EXPIRE));
    int mode = d.getInt(c + (l.wide() ? XtHashlimitMtinfo.CFG_MODE : XtHashlimitMtinfo.CFG1_MODE));
    int masks =
        c
            + (l.wide()
                ? (l.revision() == 3
                    ? XtHashlimitMtinfo.CFG3_SRCMASK
                    : XtHashlimitMtinfo.CFG2_SRCMASK)
                : XtHashlimitMtinfo.CFG1_SRCMASK);
    if (gc == 0
        || expire == 0
        || (d.get(masks) & 0xff) > 32
        || (d.get(masks + 1) & 0xff) > 32
        || (mode & ~XtHashlimitMtinfo.MODE_ALL) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    long avg =
        l.wide()
            ? d.getLong(c + XtHashlimitMtinfo.CFG_AVG)
            : d.getInt(c + XtHashlimitMtinfo.CFG1_AVG) & 0xffffffffL;
    long burst =
        l.wide()
            ? d.getLong(c + XtHashlimitMtinfo.CFG_BURST)
            : d.getInt(c + XtHashlimitMtinfo.CFG1_BURST) & 0xffffffffL;
    if (l.revision() >= 3 && (mode & XtHashlimitMtinfo.RATE_MATCH) != 0) {
      if (avg == 0 || Long.compareUnsigned(avg, 0xffffffffL) > 0) {
        return Optional.of(Errno.ERANGE);
      }
      return Check.einvalIf(d.getInt(c + XtHashlimitMtinfo.CFG_INTERVAL) == 0);
    }
    if ((mode & XtHashlimitMtinfo.BYTES) != 0) {
      return Check.einvalIf(bytesToCredits(avg & 0xffffffffL) == 0);
    }
    boolean overflow =
        burst == 0
            || Long.compareUnsigned(credits(avg * burst, l.revision()), credits(avg, l.revision()))
                < 0;
    return overflow ? Optional.of(Errno.ERANGE) : Optional.empty();
  }

  /** user2credits, in u64: divides the constant operands first, as the kernel does. */
  static long credits(long user, int revision) {
    long scale = revision == 1 ? SCALE_V1 : SCALE_V2;
    long perSecond = HZ * (revision == 1 ? CPJ_V1 : CPJ);
    if (Long.compareUnsigned(scale, perSecond) >= 0) {
      return Long.divideUnsigned(user, Long.divideUnsigned(scale, perSecond));
    }
    return user * Long.divideUnsigned(perSecond, scale);
  }

  /** user2credits_byte: the upper 32 bits of (u32) user * HZ * CREDITS_PER_JIFFY_BYTES. */
  static long bytesToCredits(long user) {
    return (user * HZ * CPJ_BYTES) >>> 32 & 0xffffffffL;
  }
}

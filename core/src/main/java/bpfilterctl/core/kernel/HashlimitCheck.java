package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_hashlimit.c revisions 1..3: a table name (16 bytes, 255 from revision 3), a config (struct
 * hashlimit_cfg1/2/3) and the kernel's table pointer, which user space never sees back.
 */
final class HashlimitCheck {
  static final int MODE_ALL = 0x7f;
  static final int MODE_BYTES = 0x20;
  static final int MODE_RATE_MATCH = 0x40;
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
          Xt.match("hashlimit", 1, 56)
              .ipv4()
              .user(48)
              .check((c, d) -> check(d, new Layout(1, 16, 16))),
          Xt.match("hashlimit", 2, 64)
              .ipv4()
              .user(56)
              .check((c, d) -> check(d, new Layout(2, 16, 16))),
          Xt.match("hashlimit", 3, 312)
              .ipv4()
              .user(304)
              .check((c, d) -> check(d, new Layout(3, 255, 256)))
              .normalizes(HashlimitCheck::clampV3));

  /** HASHLIMIT_MAX_SIZE: larger table sizes and entry counts are truncated, with a warning. */
  static final long MAX_SIZE = 1048576;

  private HashlimitCheck() {}

  /** Revision 3's config is the rule's own data, so the truncation of size and max shows. */
  static void clampV3(ByteBuffer d) {
    for (int off : new int[] {256 + 20, 256 + 24}) {
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
    int gc = d.getInt(l.wide() ? c + 28 : c + 20);
    int expire = d.getInt(l.wide() ? c + 32 : c + 24);
    int mode = d.getInt(l.wide() ? c + 16 : c);
    int masks = l.wide() ? c + (l.revision() == 3 ? 40 : 36) : c + 28;
    if (gc == 0
        || expire == 0
        || (d.get(masks) & 0xff) > 32
        || (d.get(masks + 1) & 0xff) > 32
        || (mode & ~MODE_ALL) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    long avg = l.wide() ? d.getLong(c) : d.getInt(c + 4) & 0xffffffffL;
    long burst = l.wide() ? d.getLong(c + 8) : d.getInt(c + 8) & 0xffffffffL;
    if (l.revision() >= 3 && (mode & MODE_RATE_MATCH) != 0) {
      if (avg == 0 || Long.compareUnsigned(avg, 0xffffffffL) > 0) {
        return Optional.of(Errno.ERANGE);
      }
      return Check.einvalIf(d.getInt(c + 36) == 0);
    }
    if ((mode & MODE_BYTES) != 0) {
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

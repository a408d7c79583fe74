package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_limit.c: struct xt_rateinfo {u32 avg, burst; unsigned long prev; u32 credit, credit_cap, cost;
 * void *master}. Only avg and burst go back to user space (usersize = offsetof(prev)). The check
 * refuses a zero burst, and an avg*burst that overflows the credit arithmetic, with ERANGE.
 */
final class LimitCheck {
  /** CONFIG_HZ of the kernel we imitate (the oracle machine's 6.18: 250). */
  static final long HZ = 250;

  static final long XT_LIMIT_SCALE = 10000;
  static final long CREDITS_PER_JIFFY = pow2Below32(0xFFFFFFFFL / (HZ * 60 * 60 * 24));

  static final List<KernelExtension> ALL =
      List.of(Xt.match("limit", 0, 40).user(8).check(LimitCheck::check));

  private LimitCheck() {}

  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    long avg = d.getInt(0) & 0xffffffffL;
    long burst = d.getInt(4) & 0xffffffffL;
    long product = (avg * burst) & 0xffffffffL; // u32 multiplication, as in C
    boolean overflow = burst == 0 || user2credits(product) < user2credits(avg);
    return overflow ? Optional.of(Errno.ERANGE) : Optional.empty();
  }

  /** The kernel's user2credits, in u32 arithmetic. */
  static long user2credits(long user) {
    long perSecond = HZ * CREDITS_PER_JIFFY;
    if (user > 0xFFFFFFFFL / perSecond) {
      return ((user / XT_LIMIT_SCALE) * perSecond) & 0xffffffffL;
    }
    return ((user * perSecond) & 0xffffffffL) / XT_LIMIT_SCALE;
  }

  /** POW2_BELOW32: the highest power of two not above x. */
  static long pow2Below32(long x) {
    return Long.highestOneBit(x);
  }
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_recent.c: struct xt_recent_mtinfo {u32 seconds, hit_count; u8 check_set, invert; char
 * name[200]; u8 side} and _v1 (+ an nf_inet_addr mask).
 */
final class RecentCheck {
  static final int CHECK = 1;
  static final int SET = 2;
  static final int UPDATE = 4;
  static final int REMOVE = 8;
  static final int TTL = 16;
  static final int REAP = 32;
  static final int VALID_FLAGS = CHECK | SET | UPDATE | REMOVE | TTL | REAP;
  static final int MODIFIERS = TTL | REAP;
  static final int MAX_NSTAMPS = 65536;
  static final int NAME_LEN = 200;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("recent", 0, 212).ipv4().check(RecentCheck::check),
          Xt.match("recent", 1, 228).ipv4().check(RecentCheck::check));

  private RecentCheck() {}

  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    long seconds = d.getInt(0) & 0xffffffffL;
    long hitCount = d.getInt(4) & 0xffffffffL;
    int set = d.get(8) & 0xff;
    if ((set & ~VALID_FLAGS) != 0
        || Integer.bitCount(set & (SET | REMOVE | CHECK | UPDATE)) != 1
        || ((set & (SET | REMOVE)) != 0
            && (seconds != 0 || hitCount != 0 || (set & MODIFIERS) != 0))
        || ((set & REAP) != 0 && seconds == 0)
        || hitCount >= MAX_NSTAMPS) {
      return Optional.of(Errno.EINVAL);
    }
    return ProcName.check(d, 10, NAME_LEN);
  }
}

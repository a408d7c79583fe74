package bpfilterctl.core.abi.ext;

import bpfilterctl.core.mbox.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_hashlimit.c revisions 1..3: a table name (16 bytes, 255 from revision 3), a config (struct
 * hashlimit_cfg1/2/3) and the kernel's table pointer, which user space never sees back.
 */
final class HashlimitMatch {
  static final int MODE_ALL = 0x3f;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("hashlimit", 1, 56).ipv4().user(48).check((c, d) -> check(d, 16, 16, false)),
          Xt.match("hashlimit", 2, 64).ipv4().user(56).check((c, d) -> check(d, 16, 16, true)),
          Xt.match("hashlimit", 3, 312).ipv4().user(304).check((c, d) -> check(d, 255, 256, true)));

  private HashlimitMatch() {}

  /**
   * The config: v1 is {u32 mode, avg, burst, size, max, gc_interval, expire; u8 srcmask, dstmask},
   * v2/v3 start with u64 avg, burst then u32 mode, size, max, gc_interval, expire(, interval).
   */
  static Optional<Errno> check(ByteBuffer d, int nameLen, int cfg, boolean wide) {
    int gc = d.getInt(wide ? cfg + 28 : cfg + 20);
    int expire = d.getInt(wide ? cfg + 32 : cfg + 24);
    if (gc == 0 || expire == 0) {
      return Optional.of(Errno.EINVAL);
    }
    Optional<Errno> name = ProcName.check(d, 0, nameLen);
    if (name.isPresent()) {
      return name;
    }
    int mode = d.getInt(wide ? cfg + 16 : cfg);
    int masks = wide ? cfg + (nameLen == 255 ? 40 : 36) : cfg + 28;
    int srcmask = d.get(masks) & 0xff;
    int dstmask = d.get(masks + 1) & 0xff;
    // revision 3 adds XT_HASHLIMIT_RATE_MATCH (0x40) to the known modes
    int known = nameLen == 255 ? MODE_ALL | 0x40 : MODE_ALL;
    return Check.einvalIf(srcmask > 32 || dstmask > 32 || (mode & ~known) != 0);
  }
}

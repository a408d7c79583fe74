package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Matches that name a kernel object: string (a textsearch algorithm), nfacct (an accounting
 * object), rateest (an estimator made by a RATEEST target). The umh has no nfnetlink accounting
 * objects and no estimators, so naming one is ENOENT, as in a namespace that never created them.
 */
final class ObjectMatches {
  static final Set<String> TEXTSEARCH_ALGOS = Set.of("bm", "kmp", "fsm");
  static final int STRING_MAX_PATTERN = 128;
  static final int STRING_FLAGS = 0x3;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_string_info {u16 from, to; char algo[16]; char pattern[128]; u8 patlen; u8 flags;
          // struct ts_config *config}
          Xt.match("string", 1, 160).user(152).check(ObjectMatches::string),
          // xt_nfacct_match_info(_v1) {char name[32]; struct nf_acct *nfacct}
          Xt.match("nfacct", 0, 40).user(32).check((c, d) -> Check.fail(Errno.ENOENT)),
          Xt.match("nfacct", 1, 40).user(32).check((c, d) -> Check.fail(Errno.ENOENT)),
          // xt_rateest_match_info {char name1[16], name2[16]; u16 flags, mode; u32 bps1, pps1,
          // bps2,
          // pps2; est1, est2 pointers}
          Xt.match("rateest", 0, 72).user(56).check(ObjectMatches::rateest));

  static final int RATEEST_ABS = 2;
  static final int RATEEST_REL = 4;
  static final int RATEEST_BPS = 16;
  static final int RATEEST_PPS = 32;

  private ObjectMatches() {}

  /** One of absolute/relative, bps and/or pps, and a comparison (eq, lt, gt); then the lookup. */
  static Optional<Errno> rateest(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.getShort(32) & 0xffff;
    int mode = d.getShort(34) & 0xffff;
    if (Integer.bitCount(flags & (RATEEST_ABS | RATEEST_REL)) != 1
        || (flags & (RATEEST_BPS | RATEEST_PPS)) == 0
        || mode < 1
        || mode > 3) {
      return Optional.of(Errno.EINVAL);
    }
    return Optional.of(Errno.ENOENT);
  }

  static Optional<Errno> string(ExtensionContext ctx, ByteBuffer d) {
    int from = d.getShort(0) & 0xffff;
    int to = d.getShort(2) & 0xffff;
    int patlen = d.get(148) & 0xff;
    int flags = d.get(149) & 0xff;
    if (from > to
        || d.get(4 + 15) != 0
        || patlen > STRING_MAX_PATTERN
        || (flags & ~STRING_FLAGS) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    // textsearch_prepare: an empty pattern is EINVAL, then an unknown algorithm ENOENT
    if (patlen == 0) {
      return Optional.of(Errno.EINVAL);
    }
    return TEXTSEARCH_ALGOS.contains(ProcName.cString(d, 4, 16))
        ? Optional.empty()
        : Optional.of(Errno.ENOENT);
  }
}

package bpfilterctl.core.kernel;

import static bpfilterctl.core.uapi.XtRecentMtinfo.CHECK;
import static bpfilterctl.core.uapi.XtRecentMtinfo.MODIFIERS;
import static bpfilterctl.core.uapi.XtRecentMtinfo.NAME_LEN;
import static bpfilterctl.core.uapi.XtRecentMtinfo.REAP;
import static bpfilterctl.core.uapi.XtRecentMtinfo.REMOVE;
import static bpfilterctl.core.uapi.XtRecentMtinfo.SET;
import static bpfilterctl.core.uapi.XtRecentMtinfo.UPDATE;
import static bpfilterctl.core.uapi.XtRecentMtinfo.VALID_FLAGS;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.XtRecentMtinfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** xt_recent.c's checkentry of struct xt_recent_mtinfo ({@link XtRecentMtinfo}) and _v1. */
final class RecentCheck {
  static final int MAX_NSTAMPS = 65536;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("recent", 0, XtRecentMtinfo.SIZE).ipv4().check(RecentCheck::check),
          Xt.match("recent", 1, XtRecentMtinfo.SIZE_V1).ipv4().check(RecentCheck::check));

  private RecentCheck() {}

  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    long seconds = d.getInt(XtRecentMtinfo.OFF_SECONDS) & 0xffffffffL;
    long hitCount = d.getInt(XtRecentMtinfo.OFF_HIT_COUNT) & 0xffffffffL;
    int set = d.get(XtRecentMtinfo.OFF_CHECK_SET) & 0xff;
    if ((set & ~VALID_FLAGS) != 0
        || Integer.bitCount(set & (SET | REMOVE | CHECK | UPDATE)) != 1
        || ((set & (SET | REMOVE)) != 0
            && (seconds != 0 || hitCount != 0 || (set & MODIFIERS) != 0))
        || ((set & REAP) != 0 && seconds == 0)
        || hitCount >= MAX_NSTAMPS) {
      return Optional.of(Errno.EINVAL);
    }
    return ProcName.check(d, XtRecentMtinfo.OFF_NAME, NAME_LEN);
  }
}

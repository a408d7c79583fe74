package bpfilterctl.core.kernel;

import static bpfilterctl.core.uapi.XtOwnerMatchInfo.GID;
import static bpfilterctl.core.uapi.XtOwnerMatchInfo.MASK;
import static bpfilterctl.core.uapi.XtOwnerMatchInfo.UID;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.XtOwnerMatchInfo;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_owner.c revision 1: struct xt_owner_match_info {u32 uid_min, uid_max, gid_min, gid_max; u8
 * match, invert}. Only locally generated packets have an owner.
 */
final class OwnerCheck {
  static final long INVALID_ID = 0xffffffffL;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("owner", 1, XtOwnerMatchInfo.SIZE)
              .ipv4()
              .hooks(Hook.OUTPUT.bit() | Hook.POSTROUTING.bit())
              .check(OwnerCheck::check));

  private OwnerCheck() {}

  /**
   * Unknown match bits are refused, and so are id ranges that are empty or use (u32)-1, which maps
   * to no id in the user namespace.
   */
  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    int match = d.get(16) & 0xff;
    boolean bad = (match & ~MASK) != 0;
    if ((match & UID) != 0) {
      bad |= badRange(d.getInt(0) & INVALID_ID, d.getInt(4) & INVALID_ID);
    }
    if ((match & GID) != 0) {
      bad |= badRange(d.getInt(8) & INVALID_ID, d.getInt(12) & INVALID_ID);
    }
    return Check.einvalIf(bad);
  }

  static boolean badRange(long min, long max) {
    return min == INVALID_ID || max == INVALID_ID || max < min;
  }
}

package bpfilterctl.core.abi.ext;

import bpfilterctl.core.mbox.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * xt_owner.c revision 1: struct xt_owner_match_info {u32 uid_min, uid_max, gid_min, gid_max; u8
 * match, invert}. Only locally generated packets have an owner.
 */
final class OwnerMatch {
  static final int XT_OWNER_MASK = 0x0f;
  static final long INVALID_ID = 0xffffffffL;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("owner", 1, 18)
              .ipv4()
              .hooks(Hook.LOCAL_OUT | Hook.POST_ROUTING)
              .check(OwnerMatch::check));

  private OwnerMatch() {}

  /** Unknown match bits, and ids that do not map into the user namespace ((u32)-1), are refused. */
  static Optional<Errno> check(ExtensionContext ctx, ByteBuffer d) {
    int match = d.get(16) & 0xff;
    boolean badId = false;
    if ((match & 0x2) != 0) {
      badId |= (d.getInt(0) & INVALID_ID) == INVALID_ID || (d.getInt(4) & INVALID_ID) == INVALID_ID;
    }
    if ((match & 0x4) != 0) {
      badId |=
          (d.getInt(8) & INVALID_ID) == INVALID_ID || (d.getInt(12) & INVALID_ID) == INVALID_ID;
    }
    return Check.einvalIf((match & ~XT_OWNER_MASK) != 0 || badId);
  }
}

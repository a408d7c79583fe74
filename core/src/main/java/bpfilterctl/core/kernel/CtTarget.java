package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * xt_CT.c, raw table only: CT revision 0 {u16 flags, zone; u32 ct_events, exp_events; char
 * helper[16]; struct nf_conn *ct}, revisions 1 and 2 (+ char timeout[32] before ct), NOTRACK (no
 * data). Only the first 32 bytes go back to user space, in every revision: the kernel declares
 * usersize as offsetof(struct xt_ct_target_info, ct) for all three (recorded: a timeout name is cut
 * at its 4th byte in GET_ENTRIES).
 */
final class CtTarget {
  static final int NOTRACK = 0x1;
  static final int CT_MASK = 0x1f;
  static final int HELPER = 12;
  static final int TIMEOUT = 28;

  /** Conntrack helpers built into the kernel we imitate. */
  static final Set<String> HELPERS =
      Set.of(
          "ftp",
          "tftp",
          "irc",
          "sip",
          "h323",
          "RAS",
          "Q.931",
          "pptp",
          "amanda",
          "netbios-ns",
          "snmp",
          "sane");

  static final List<KernelExtension> ALL =
      List.of(
          Xt.target("CT", 0, 40)
              .ipv4()
              .table("raw")
              .user(32)
              .check((c, d) -> check(d, NOTRACK, false)),
          Xt.target("CT", 1, 72)
              .ipv4()
              .table("raw")
              .user(32)
              .check((c, d) -> check(d, NOTRACK, true)),
          Xt.target("CT", 2, 72)
              .ipv4()
              .table("raw")
              .user(32)
              .check((c, d) -> check(d, CT_MASK, true)),
          Xt.target("NOTRACK", 0, 0).ipv4().table("raw"));

  private CtTarget() {}

  static Optional<Errno> check(ByteBuffer d, int knownFlags, boolean hasTimeout) {
    int flags = d.getShort(0) & 0xffff;
    if ((flags & ~knownFlags) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    if ((flags & NOTRACK) != 0) {
      return Optional.empty();
    }
    String helper = ProcName.cString(d, HELPER, 16);
    if (!helper.isEmpty()) {
      if (helper.length() == 16) {
        return Optional.of(Errno.ENAMETOOLONG);
      }
      if (!HELPERS.contains(helper)) {
        return Optional.of(Errno.ENOENT);
      }
    }
    // a timeout policy is an nfnetlink_cttimeout object, which the umh never has; the kernel
    // reports an unknown one as EINVAL (recorded)
    if (hasTimeout && d.get(TIMEOUT) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    return Optional.empty();
  }
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Hook;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/**
 * The long tail of matches whose checkentry looks at a flag or two: cgroup, cpu, physdev, policy,
 * quota, rpfilter, socket, time, u32.
 */
final class MiscMatches {
  static final int CGROUP_HOOKS = Hook.OUTPUT.bit() | Hook.POSTROUTING.bit() | Hook.INPUT.bit();
  static final int PHYSDEV_OP_MASK = 0x1f;
  static final int PHYSDEV_OUT = 0x02;
  static final int PHYSDEV_BRIDGED = 0x04;
  static final int PHYSDEV_ISOUT = 0x10;
  static final int POLICY_MATCH_IN = 1;
  static final int POLICY_MATCH_OUT = 2;
  static final int POLICY_MAX_ELEM = 4;
  static final int RPFILTER_OPTION_MASK = 0x0f;
  static final int TIME_MAX_DAYTIME = 24 * 60 * 60 - 1;
  static final int TIME_ALL_FLAGS = 0x3;
  static final int TIME_CONTIGUOUS = 0x2;
  static final int U32_MAXSIZE = 10;
  static final int U32_TEST_SIZE = 180;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_cgroup_info_v0 {u32 id, invert}
          Xt.match("cgroup", 0, 8)
              .hooks(CGROUP_HOOKS)
              .check((c, d) -> Check.einvalIf((d.getInt(4) & ~1) != 0)),
          // _v1 {u8 has_path, has_classid, invert_path, invert_classid; char path[4096]; u32
          // classid; void *priv}; _v2 the same with a 512-byte path sharing room with classid
          Xt.match("cgroup", 1, 4112).hooks(CGROUP_HOOKS).user(4104).check(MiscMatches::cgroup),
          Xt.match("cgroup", 2, 528).hooks(CGROUP_HOOKS).user(520).check(MiscMatches::cgroup),
          // xt_cpu_info {u32 cpu, invert}
          Xt.match("cpu", 0, 8).check((c, d) -> Check.einvalIf((d.getInt(4) & ~1) != 0)),
          // xt_physdev_info {char physindev[16], in_mask[16], physoutdev[16], out_mask[16]; u8
          // invert, bitmask}
          Xt.match("physdev", 0, 66).ipv4().check(MiscMatches::physdev),
          // xt_policy_info {xt_policy_elem pol[4]; u16 flags, len}
          Xt.match("policy", 0, 308).ipv4().check(MiscMatches::policy),
          // xt_quota_info {u32 flags, pad; aligned_u64 quota; void *master}
          Xt.match("quota", 0, 24)
              .user(16)
              .check((c, d) -> Check.einvalIf((d.getInt(0) & ~1) != 0)),
          // xt_rpfilter_info {u8 flags}: only before routing, in raw or mangle
          Xt.match("rpfilter", 0, 1)
              .ipv4()
              .hooks(Hook.PREROUTING.bit())
              .check(MiscMatches::rpfilter),
          // socket: no data, then xt_socket_mtinfo1/2/3 {u8 flags} with more known flags
          Xt.match("socket", 0, 0).ipv4().hooks(Hook.PREROUTING.bit() | Hook.INPUT.bit()),
          socket(1, 0x1),
          socket(2, 0x3),
          socket(3, 0x7),
          // xt_time_info {u32 date_start, date_stop, daytime_start, daytime_stop, monthdays; u8
          // weekdays, flags}
          Xt.match("time", 0, 24).check(MiscMatches::time),
          // xt_u32 {xt_u32_test tests[11]; u8 ntests, invert}
          Xt.match("u32", 0, 11 * U32_TEST_SIZE + 4).check(MiscMatches::u32));

  private MiscMatches() {}

  static Xt socket(int revision, int knownFlags) {
    return Xt.match("socket", revision, 1)
        .ipv4()
        .hooks(Hook.PREROUTING.bit() | Hook.INPUT.bit())
        .check((c, d) -> Check.einvalIf((d.get(0) & ~knownFlags) != 0));
  }

  /**
   * Exactly one of a path or a class id. The kernel resolves the path in cgroup2 (EINVAL when it
   * does not exist); the umh cannot see the caller's cgroups, so it only refuses paths no cgroup
   * can have: relative ones, and bytes outside printable ASCII.
   */
  static Optional<Errno> cgroup(ExtensionContext ctx, ByteBuffer d) {
    boolean hasPath = d.get(0) != 0;
    boolean hasClassid = d.get(1) != 0;
    if ((d.get(2) & ~1) != 0 || (d.get(3) & ~1) != 0 || hasPath == hasClassid) {
      return Optional.of(Errno.EINVAL);
    }
    if (hasPath) {
      String path = ProcName.cString(d, 4, d.capacity() >= 4104 ? 4096 : 512);
      boolean printable = path.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f);
      return Check.einvalIf(!path.startsWith("/") || !printable);
    }
    return Optional.empty();
  }

  static Optional<Errno> physdev(ExtensionContext ctx, ByteBuffer d) {
    int invert = d.get(64) & 0xff;
    int bitmask = d.get(65) & 0xff;
    if ((bitmask & PHYSDEV_OP_MASK) == 0 || (bitmask & ~PHYSDEV_OP_MASK) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    // the bridge output port is only known in FORWARD/OUTPUT/POSTROUTING for bridged packets
    boolean outWithoutBridged =
        (bitmask & (PHYSDEV_OUT | PHYSDEV_ISOUT)) != 0
            && ((bitmask & PHYSDEV_BRIDGED) == 0 || (invert & PHYSDEV_BRIDGED) != 0);
    return Check.einvalIf(
        outWithoutBridged
            && ctx.reachedFrom(Hook.OUTPUT.bit() | Hook.FORWARD.bit() | Hook.POSTROUTING.bit()));
  }

  /** pol[4] are 76 bytes each; flags at 304 and len at 306. */
  static Optional<Errno> policy(ExtensionContext ctx, ByteBuffer d) {
    int flags = d.getShort(304) & 0xffff;
    int len = d.getShort(306) & 0xffff;
    return Check.einvalIf(
        (flags & (POLICY_MATCH_IN | POLICY_MATCH_OUT)) == 0
            || (ctx.reachedFrom(Hook.PREROUTING.bit() | Hook.INPUT.bit())
                && (flags & POLICY_MATCH_OUT) != 0)
            || (ctx.reachedFrom(Hook.POSTROUTING.bit() | Hook.OUTPUT.bit())
                && (flags & POLICY_MATCH_IN) != 0)
            || len > POLICY_MAX_ELEM);
  }

  static Optional<Errno> rpfilter(ExtensionContext ctx, ByteBuffer d) {
    return Check.einvalIf(
        (d.get(0) & ~RPFILTER_OPTION_MASK) != 0
            || !(ctx.table().equals("mangle") || ctx.table().equals("raw")));
  }

  static Optional<Errno> time(ExtensionContext ctx, ByteBuffer d) {
    long start = d.getInt(8) & 0xffffffffL;
    long stop = d.getInt(12) & 0xffffffffL;
    int flags = d.get(21) & 0xff;
    if (start > TIME_MAX_DAYTIME || stop > TIME_MAX_DAYTIME) {
      return Optional.of(Errno.EDOM);
    }
    return Check.einvalIf(
        (flags & ~TIME_ALL_FLAGS) != 0 || ((flags & TIME_CONTIGUOUS) != 0 && start < stop));
  }

  /** Each test is {location[11] (8 bytes), value[11] (8 bytes), u8 nnums, nvalues}. */
  static Optional<Errno> u32(ExtensionContext ctx, ByteBuffer d) {
    int ntests = d.get(11 * U32_TEST_SIZE) & 0xff;
    if (ntests > U32_MAXSIZE + 1) {
      return Optional.of(Errno.EINVAL);
    }
    for (int i = 0; i < ntests; i++) {
      int nnums = d.get(i * U32_TEST_SIZE + 176) & 0xff;
      int nvalues = d.get(i * U32_TEST_SIZE + 177) & 0xff;
      if (nnums > U32_MAXSIZE + 1 || nvalues > U32_MAXSIZE + 1) {
        return Optional.of(Errno.EINVAL);
      }
    }
    return Optional.empty();
  }
}

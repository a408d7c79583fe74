package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.util.List;

/**
 * xt_set.c: the set match (revisions 0..4) and SET target (0..3) name ipsets by index. The umh has
 * no ipset, so every index is unknown: "Cannot find set identified by id", ENOENT.
 */
final class SetExtensions {
  static final Check NO_SUCH_SET = (c, d) -> Check.fail(Errno.ENOENT);

  static final List<KernelExtension> ALL =
      List.of(
          // xt_set_info_match_v0 {xt_set_info_v0: u16 index; u32 flags[7]}
          Xt.match("set", 0, 32).ipv4().check(NO_SUCH_SET),
          // _v1/_v2 {xt_set_info: u16 index; u8 dim, flags}
          Xt.match("set", 1, 4).ipv4().check(NO_SUCH_SET),
          Xt.match("set", 2, 4).ipv4().check(NO_SUCH_SET),
          // _v3/_v4 (+ packets and bytes counter matches, u32 flags)
          Xt.match("set", 3, 48).ipv4().check(NO_SUCH_SET),
          Xt.match("set", 4, 48).ipv4().check(NO_SUCH_SET),
          // add_set, del_set (, u32 flags, timeout) (, map_set)
          Xt.target("SET", 0, 64).ipv4().check(NO_SUCH_SET),
          Xt.target("SET", 1, 8).ipv4().check(NO_SUCH_SET),
          Xt.target("SET", 2, 16).ipv4().check(NO_SUCH_SET),
          Xt.target("SET", 3, 20).ipv4().check(NO_SUCH_SET));

  private SetExtensions() {}
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** Conntrack-based matches with checks of their own: connbytes, connlabel, connlimit, cluster. */
final class ConnMatches {
  static final int CONNBYTES_AVGPKT = 2;
  static final int CONNBYTES_DIR_BOTH = 2;
  static final int CONNLABEL_MAXBIT = 127;
  static final int CONNLABEL_OPTIONS = 0x3;
  static final int CLUSTER_NODES_MAX = 32;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_connbytes_info {aligned_u64 from, to; u8 what, direction}
          Xt.match("connbytes", 0, 24).check(ConnMatches::checkConnbytes),
          // xt_connlabel_mtinfo {u16 bit, options}
          Xt.match("connlabel", 0, 4).check(ConnMatches::checkConnlabel),
          // xt_connlimit_info {nf_inet_addr mask; u32 limit, flags; conncount data pointer}
          Xt.match("connlimit", 1, 32).ipv4().user(24),
          // xt_cluster_match_info {u32 total_nodes, node_mask, hash_seed, flags}
          Xt.match("cluster", 0, 16).ipv4().check(ConnMatches::checkCluster));

  private ConnMatches() {}

  static Optional<Errno> checkConnbytes(ExtensionContext ctx, ByteBuffer d) {
    return Check.einvalIf(
        (d.get(16) & 0xff) > CONNBYTES_AVGPKT || (d.get(17) & 0xff) > CONNBYTES_DIR_BOTH);
  }

  /** Unknown options are EINVAL, a label bit past the 128 the kernel keeps ERANGE. */
  static Optional<Errno> checkConnlabel(ExtensionContext ctx, ByteBuffer d) {
    if ((d.getShort(2) & ~CONNLABEL_OPTIONS) != 0) {
      return Optional.of(Errno.EINVAL);
    }
    return (d.getShort(0) & 0xffff) > CONNLABEL_MAXBIT
        ? Optional.of(Errno.ERANGE)
        : Optional.empty();
  }

  static Optional<Errno> checkCluster(ExtensionContext ctx, ByteBuffer d) {
    long total = d.getInt(0) & 0xffffffffL;
    long mask = d.getInt(4) & 0xffffffffL;
    if (total > CLUSTER_NODES_MAX) {
      return Optional.of(Errno.EINVAL);
    }
    return total < 64 && mask >= (1L << total) ? Optional.of(Errno.EDOM) : Optional.empty();
  }
}

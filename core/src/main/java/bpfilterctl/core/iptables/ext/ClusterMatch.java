package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;

/**
 * The cluster match (libxt_cluster.c), struct xt_cluster_match_info, 16 bytes: {@code u32
 * total_nodes, node_mask, hash_seed, flags} (flag bit 0 inverts). --cluster-local-node N is stored
 * as the mask 1 << (N-1).
 */
final class ClusterMatch extends AbstractXtExtension {
  static final ClusterMatch INSTANCE = new ClusterMatch();

  private static final int O_TOTAL_NODES = 0;
  private static final int O_LOCAL_NODE = 1;
  private static final int O_LOCAL_NODEMASK = 2;
  private static final int O_HASH_SEED = 3;
  private static final int F_TOTAL_NODES = 1 << O_TOTAL_NODES;
  private static final int F_LOCAL_NODE = 1 << O_LOCAL_NODE;
  private static final int F_LOCAL_NODEMASK = 1 << O_LOCAL_NODEMASK;
  private static final int F_HASH_SEED = 1 << O_HASH_SEED;

  private static final int NODES_MAX = 32;
  private static final int F_INV = 1;

  private ClusterMatch() {
    super(
        ExtensionKind.MATCH,
        "cluster",
        0,
        16,
        List.of(
            XtOption.of("cluster-total-nodes", XtOptionType.UINT32, O_TOTAL_NODES, XtOption.MAND)
                .withRange(1, NODES_MAX),
            XtOption.of("cluster-local-node", XtOptionType.UINT32, O_LOCAL_NODE, XtOption.INVERT)
                .withExcl(F_LOCAL_NODEMASK)
                .withRange(1, NODES_MAX),
            XtOption.of(
                    "cluster-local-nodemask",
                    XtOptionType.UINT32,
                    O_LOCAL_NODEMASK,
                    XtOption.INVERT)
                .withExcl(F_LOCAL_NODE)
                .withRange(1, NODES_MAX),
            XtOption.of("cluster-hash-seed", XtOptionType.UINT32, O_HASH_SEED, XtOption.MAND)));
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    switch (arg.id()) {
      case O_TOTAL_NODES -> b.putInt(0, (int) arg.val());
      case O_LOCAL_NODE -> b.putInt(4, 1 << (int) (arg.val() - 1));
      case O_LOCAL_NODEMASK -> b.putInt(4, (int) arg.val());
      default -> b.putInt(8, (int) arg.val());
    }
    if (arg.invert()) {
      b.putInt(12, b.getInt(12) | F_INV);
    }
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    long mask = Integer.toUnsignedLong(d.data().getInt(4));
    long total = Integer.toUnsignedLong(d.data().getInt(0));
    int seen = d.seen();
    int test = F_TOTAL_NODES | F_LOCAL_NODE | F_HASH_SEED;
    if ((seen & test) == test) {
      if (total < 64 && mask >= (1L << total)) {
        throw RuleException.parameter(
            "cluster match: `--cluster-local-node' must be <= `--cluster-total-nodes'");
      }
      return;
    }
    test = F_TOTAL_NODES | F_LOCAL_NODEMASK | F_HASH_SEED;
    if ((seen & test) == test) {
      if (total < 64 && mask >= (1L << total)) {
        throw RuleException.parameter(
            "cluster match: `--cluster-local-nodemask' too big for `--cluster-total-nodes'");
      }
      return;
    }
    if ((seen & (F_LOCAL_NODE | F_LOCAL_NODEMASK)) == 0) {
      throw RuleException.parameter(
          "cluster match: `--cluster-local-node' or`--cluster-local-nodemask' is missing");
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    ByteBuffer b = d.data();
    out.append(" cluster ").append((b.getInt(12) & F_INV) != 0 ? "!" : "");
    out.append(String.format(Locale.ROOT, "node_mask=0x%08x", b.getInt(4)));
    out.append(
        String.format(
            Locale.ROOT,
            " total_nodes=%s hash_seed=0x%08x",
            Integer.toUnsignedString(b.getInt(0)),
            b.getInt(8)));
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    ByteBuffer b = d.data();
    out.append((b.getInt(12) & F_INV) != 0 ? " !" : "");
    out.append(String.format(Locale.ROOT, " --cluster-local-nodemask 0x%08x", b.getInt(4)));
    out.append(
        String.format(
            Locale.ROOT,
            " --cluster-total-nodes %s --cluster-hash-seed 0x%08x",
            Integer.toUnsignedString(b.getInt(0)),
            b.getInt(8)));
  }
}

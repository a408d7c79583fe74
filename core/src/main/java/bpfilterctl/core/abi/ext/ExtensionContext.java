package bpfilterctl.core.abi.ext;

/**
 * What the kernel's xt_check_match/xt_check_target know about the rule an extension sits in.
 *
 * @param table the table name ("filter", "nat", ...)
 * @param hookMask the hooks (1 << NF_INET_*) from which the rule is reachable
 * @param proto the rule's ipt_ip.proto
 * @param invflags the rule's ipt_ip.invflags (IPT_INV_PROTO = 0x40 inverts proto)
 * @param flags the rule's ipt_ip.flags (IPT_F_FRAG = 0x01)
 */
public record ExtensionContext(String table, int hookMask, int proto, int invflags, int flags) {
  public static final int IPT_INV_PROTO = 0x40;
  public static final int IPT_F_FRAG = 0x01;

  /** True when the rule matches exactly protocol {@code p}, not inverted. */
  public boolean protoIs(int p) {
    return proto == p && (invflags & IPT_INV_PROTO) == 0;
  }
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.IptIp;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * What the kernel's xt_check_match/xt_check_target know about the rule an extension sits in.
 *
 * @param table the table name ("filter", "nat", ...)
 * @param hookMask the hooks (1 << NF_INET_*) from which the rule is reachable
 * @param proto the rule's ipt_ip.proto
 * @param invflags the rule's ipt_ip.invflags (IptIp.INV_PROTO inverts proto)
 * @param flags the rule's ipt_ip.flags (IPT_F_FRAG = 0x01)
 * @param matches every match of the rule, in order: some targets look at them (TCPMSS wants a tcp
 *     match on SYN), as the kernel's checkentry does through par->entryinfo
 */
public record ExtensionContext(
    String table, int hookMask, int proto, int invflags, int flags, List<EntryMatch> matches) {
  public static final int IPT_F_FRAG = 0x01;

  public ExtensionContext {
    matches = List.copyOf(matches);
  }

  /** A rule context without its matches (enough for every match's own check). */
  public ExtensionContext(String table, int hookMask, int proto, int invflags, int flags) {
    this(table, hookMask, proto, invflags, flags, List.of());
  }

  /** True when the rule matches exactly protocol {@code p}, not inverted. */
  public boolean protoIs(int p) {
    return proto == p && (invflags & IptIp.INV_PROTO) == 0;
  }

  /** True when the rule is reachable from any of the hooks in {@code mask}. */
  public boolean reachedFrom(int mask) {
    return (hookMask & mask) != 0;
  }

  /**
   * One match of the rule as the blob carries it.
   *
   * @param data the match's data bytes (little endian, position 0)
   */
  public record EntryMatch(String name, int revision, ByteBuffer data) {}
}

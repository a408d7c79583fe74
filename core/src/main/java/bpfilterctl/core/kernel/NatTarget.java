package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Hook;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * xt_nat.c, xt_MASQUERADE.c, xt_REDIRECT.c, xt_NETMAP.c in the nat table. Revision 0 of each takes
 * the IPv4 compat range (struct nf_nat_ipv4_multi_range_compat {unsigned rangesize; {u32 flags;
 * be32 min_ip, max_ip; u16 min, max} range[1]}), which must hold exactly one range; DNAT/SNAT
 * revision 1 take struct nf_nat_range (40 bytes), revision 2 nf_nat_range2 (+ base_proto).
 */
final class NatTarget {
  static final int COMPAT_SIZE = 20;
  static final int RANGE_SIZE = 40;
  static final int RANGE2_SIZE = 44;
  static final int MAP_IPS = 0x1;
  static final int SNAT_HOOKS = Hook.POSTROUTING.bit() | Hook.INPUT.bit();
  static final int DNAT_HOOKS = Hook.PREROUTING.bit() | Hook.OUTPUT.bit();

  static final List<KernelExtension> ALL =
      List.of(
          nat("SNAT", 0, COMPAT_SIZE, SNAT_HOOKS).ipv4().check((c, d) -> oneRange(d)),
          nat("SNAT", 1, RANGE_SIZE, SNAT_HOOKS),
          nat("SNAT", 2, RANGE2_SIZE, SNAT_HOOKS),
          nat("DNAT", 0, COMPAT_SIZE, DNAT_HOOKS).ipv4().check((c, d) -> oneRange(d)),
          nat("DNAT", 1, RANGE_SIZE, DNAT_HOOKS),
          nat("DNAT", 2, RANGE2_SIZE, DNAT_HOOKS),
          // masquerading picks the address itself: a given one is refused
          nat("MASQUERADE", 0, COMPAT_SIZE, Hook.POSTROUTING.bit())
              .ipv4()
              .check((c, d) -> Check.einvalIf((flags(d) & MAP_IPS) != 0 || rangesize(d) != 1)),
          nat("REDIRECT", 0, COMPAT_SIZE, DNAT_HOOKS)
              .ipv4()
              .check((c, d) -> Check.einvalIf((flags(d) & MAP_IPS) != 0 || rangesize(d) != 1)),
          // NETMAP maps a whole network: it needs one
          nat("NETMAP", 0, COMPAT_SIZE, DNAT_HOOKS | SNAT_HOOKS)
              .ipv4()
              .check((c, d) -> Check.einvalIf((flags(d) & MAP_IPS) == 0 || rangesize(d) != 1)));

  private NatTarget() {}

  static Xt nat(String name, int revision, int size, int hooks) {
    return Xt.target(name, revision, size).table("nat").hooks(hooks);
  }

  static java.util.Optional<bpfilterctl.core.uapi.Errno> oneRange(ByteBuffer d) {
    return Check.einvalIf(rangesize(d) != 1);
  }

  static int rangesize(ByteBuffer d) {
    return d.getInt(0);
  }

  static int flags(ByteBuffer d) {
    return d.getInt(4);
  }
}

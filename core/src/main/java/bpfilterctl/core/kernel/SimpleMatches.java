package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.Proto;
import java.util.List;

/**
 * Matches whose kernel module registers nothing but a name, revision and struct size (plus, for
 * some, hooks): their checkentry is absent or only takes references that cannot fail in the umh.
 */
final class SimpleMatches {
  static final List<KernelExtension> ALL =
      List.of(
          // xt_mac_info {u8 srcaddr[6]; int invert}: only where a source MAC exists
          Xt.match("mac", 0, 12)
              .ipv4()
              .hooks(Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()),
          // xt_iprange_mtinfo: 4 nf_inet_addr + u8 flags
          Xt.match("iprange", 1, 68).ipv4(),
          // xt_length_info {u16 min, max; u8 invert}
          Xt.match("length", 0, 6).ipv4(),
          // xt_pkttype_info {int pkttype, invert}
          Xt.match("pkttype", 0, 8),
          // xt_mark_mtinfo1 {u32 mark, mask; u8 invert}
          Xt.match("mark", 1, 12),
          // xt_connmark_mtinfo1 {u32 mark, mask; u8 invert}
          Xt.match("connmark", 1, 12),
          // ipt_ttl_info {u8 mode, ttl} (xt_hl.c)
          Xt.match("ttl", 0, 2).ipv4(),
          // xt_tos_match_info {u8 tos_mask, tos_value, invert}
          Xt.match("tos", 1, 3).ipv4(),
          // xt_helper_info {int invert; char name[30]}: the kernel NUL-terminates the name in place
          Xt.match("helper", 0, 36).normalizes(d -> d.put(4 + 29, (byte) 0)),
          // xt_realm_info {u32 id, mask; u8 invert}: routing realm, known after routing
          Xt.match("realm", 0, 12)
              .ipv4()
              .hooks(
                  Hook.POSTROUTING.bit()
                      | Hook.FORWARD.bit()
                      | Hook.OUTPUT.bit()
                      | Hook.INPUT.bit()),
          // xt_tcpmss_match_info {u16 mss_min, mss_max; u8 invert}
          Xt.match("tcpmss", 0, 6).ipv4().proto(Proto.TCP),
          // xt_osf_info {char genre[32]; u32 len, flags, loglevel, ttl}: TCP SYN fingerprints
          Xt.match("osf", 0, 48)
              .ipv4()
              .proto(Proto.TCP)
              .hooks(Hook.PREROUTING.bit() | Hook.INPUT.bit() | Hook.FORWARD.bit()));

  private SimpleMatches() {}
}

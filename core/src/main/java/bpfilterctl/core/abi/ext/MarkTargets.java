package bpfilterctl.core.abi.ext;

import java.util.List;

/**
 * xt_mark.c / xt_connmark.c / xt_CLASSIFY.c targets: MARK revision 2 {u32 mark, mask}, CONNMARK
 * revision 1 {u32 ctmark, ctmask, nfmask; u8 mode} and 2 (+ u8 shift_dir, shift_bits), CLASSIFY
 * {u32 priority} (only once a packet is routed out).
 */
final class MarkTargets {
  static final List<KernelExtension> ALL =
      List.of(
          Xt.target("MARK", 2, 8).ipv4(),
          Xt.target("CONNMARK", 1, 13).ipv4(),
          Xt.target("CONNMARK", 2, 15).ipv4(),
          Xt.target("CLASSIFY", 0, 4)
              .ipv4()
              .hooks(Hook.LOCAL_OUT | Hook.FORWARD | Hook.POST_ROUTING));

  private MarkTargets() {}
}

package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Hook;
import java.util.List;

/**
 * xt_mark.c / xt_connmark.c / xt_CLASSIFY.c targets: MARK revision 2 {u32 mark, mask}, CONNMARK
 * revision 1 {u32 ctmark, ctmask, nfmask; u8 mode} and 2 (+ u8 shift_dir, shift_bits), CLASSIFY
 * {u32 priority} (only once a packet is routed out).
 */
final class MarkTargets {
  /** XT_CONNMARK_SET, SAVE, RESTORE. */
  static final int RESTORE = 2;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.target("MARK", 2, 8).ipv4(),
          Xt.target("CONNMARK", 1, 16).ipv4().check((c, d) -> Check.einvalIf(mode(d) > RESTORE)),
          // revision 2 adds a shift direction (left or right) and a shift count
          Xt.target("CONNMARK", 2, 16)
              .ipv4()
              .check((c, d) -> Check.einvalIf(mode(d) > RESTORE || (d.get(13) & 0xff) > 1)),
          Xt.target("CLASSIFY", 0, 4)
              .ipv4()
              .hooks(Hook.OUTPUT.bit() | Hook.FORWARD.bit() | Hook.POSTROUTING.bit()));

  private MarkTargets() {}

  static int mode(java.nio.ByteBuffer d) {
    return d.get(12) & 0xff;
  }
}

package bpfilterctl.core.kernel;

import java.util.List;

/**
 * xt_conntrack.c (revisions 1..3, struct xt_conntrack_mtinfo1/2/3: 8 addresses, expiry, ports, and
 * state/status masks that grew from u8 to u16, then high ports) and xt_state.c (u32 statemask).
 * Their checkentry only takes a conntrack reference, which never fails here.
 */
final class ConntrackMatch {
  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("conntrack", 1, 152),
          Xt.match("conntrack", 2, 156),
          Xt.match("conntrack", 3, 164),
          Xt.match("state", 0, 4));

  private ConntrackMatch() {}
}

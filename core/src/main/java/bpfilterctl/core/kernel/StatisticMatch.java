package bpfilterctl.core.kernel;

import java.util.List;

/**
 * xt_statistic.c: struct xt_statistic_info {u16 mode, flags; union {random, nth} u; struct
 * xt_statistic_priv *master}; the master pointer stays in the kernel (usersize 16).
 */
final class StatisticMatch {
  static final int MODE_MAX = 1;
  static final int FLAGS_MASK = 0x1;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("statistic", 0, 24)
              .user(16)
              .check(
                  (ctx, d) ->
                      Check.einvalIf(
                          (d.getShort(0) & 0xffff) > MODE_MAX
                              || (d.getShort(2) & ~FLAGS_MASK) != 0)));

  private StatisticMatch() {}
}

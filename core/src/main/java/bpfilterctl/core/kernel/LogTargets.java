package bpfilterctl.core.kernel;

import java.util.List;

/** xt_LOG.c and xt_NFLOG.c: a level or group, flags and a NUL-terminated prefix. */
final class LogTargets {
  static final int LOG_PREFIX = 30;
  static final int NFLOG_PREFIX = 64;
  static final int NFLOG_MASK = 0x1;

  static final List<KernelExtension> ALL =
      List.of(
          // xt_log_info {u8 level, logflags; char prefix[30]}
          Xt.target("LOG", 0, 2 + LOG_PREFIX)
              .ipv4()
              .check(
                  (c, d) ->
                      Check.einvalIf((d.get(0) & 0xff) >= 8 || d.get(2 + LOG_PREFIX - 1) != 0)),
          // xt_nflog_info {u32 len; u16 group, threshold, flags, pad; char prefix[64]}
          Xt.target("NFLOG", 0, 12 + NFLOG_PREFIX)
              .ipv4()
              .check(
                  (c, d) ->
                      Check.einvalIf(
                          (d.getShort(8) & ~NFLOG_MASK) != 0
                              || d.get(12 + NFLOG_PREFIX - 1) != 0)));

  private LogTargets() {}
}

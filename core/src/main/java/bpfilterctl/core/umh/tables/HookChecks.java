package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;

/** x_tables' xt_check_table_hooks: every valid hook found, entries and underflows in order. */
final class HookChecks {
  static final int UNSET = 0xffffffff;

  private HookChecks() {}

  static void check(int[] hookEntry, int[] underflow, int validHooks) throws Rejection {
    boolean seen = false;
    long maxEntry = 0;
    long maxUflow = 0;
    for (int i = 0; i < Abi.NUM_HOOKS; i++) {
      if ((validHooks & (1 << i)) == 0) {
        continue;
      }
      if (hookEntry[i] == UNSET || underflow[i] == UNSET) {
        throw new Rejection(Errno.EINVAL);
      }
      long entry = Integer.toUnsignedLong(hookEntry[i]);
      long uflow = Integer.toUnsignedLong(underflow[i]);
      if (seen && (maxUflow >= uflow || maxEntry >= entry)) {
        throw new Rejection(Errno.EINVAL);
      }
      maxEntry = entry;
      maxUflow = uflow;
      seen = true;
    }
  }
}

package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;

/**
 * The per-entry structural checks of ip_tables' check_entry_size_and_hooks and x_tables'
 * xt_check_entry_offsets / xt_check_entry_match, in the kernel's order. Every failure is EINVAL.
 */
final class EntryChecks {
  private EntryChecks() {}

  /**
   * Checks the entry at {@code e} and records it in {@code hookEntry}/{@code underflow} when the
   * replace names it for a valid hook; then clears its counters and comefrom, as the kernel does.
   */
  static void checkSizeAndHooks(
      EntryBlob blob,
      int e,
      int validHooks,
      int[] wantedEntry,
      int[] wantedUnderflow,
      int[] hookEntry,
      int[] underflow)
      throws Rejection {
    int limit = blob.size();
    if (e % 8 != 0 || (long) e + IptEntry.SIZE >= limit) {
      throw invalid();
    }
    int next = blob.nextOffset(e);
    if ((long) e + next > limit) {
      throw invalid();
    }
    if (next < IptEntry.SIZE + XtEntryTarget.HEADER_SIZE) {
      throw invalid();
    }
    if ((blob.ipFlags(e) & ~IptIp.FLAGS_MASK) != 0
        || (blob.ipInvflags(e) & ~IptIp.INVFLAGS_MASK) != 0) {
      throw invalid();
    }
    checkOffsets(blob, e, blob.targetOffset(e), next);
    for (int h = 0; h < Abi.NUM_HOOKS; h++) {
      if ((validHooks & (1 << h)) == 0) {
        continue;
      }
      if (e == wantedEntry[h]) {
        hookEntry[h] = wantedEntry[h];
      }
      if (e == wantedUnderflow[h]) {
        if (!isUnderflow(blob, e)) {
          throw invalid();
        }
        underflow[h] = wantedUnderflow[h];
      }
    }
    blob.clearCounters(e);
    blob.setComefrom(e, 0);
  }

  /** xt_check_entry_offsets: the target inside the entry, then the matches tiling up to it. */
  private static void checkOffsets(EntryBlob blob, int e, int targetOffset, int next)
      throws Rejection {
    if (targetOffset < IptEntry.SIZE) {
      throw invalid();
    }
    if (targetOffset + XtEntryTarget.HEADER_SIZE > next) {
      throw invalid();
    }
    int t = e + targetOffset;
    int targetSize = blob.u16(t + XtEntryTarget.OFF_SIZE);
    if (targetSize < XtEntryTarget.HEADER_SIZE) {
      throw invalid();
    }
    if (targetOffset + targetSize > next) {
      throw invalid();
    }
    if (blob.targetIsStandard(e)) {
      if (Abi.align(targetOffset) != targetOffset) {
        throw invalid();
      }
      if (next - targetOffset < XtEntryTarget.STANDARD_SIZE) {
        throw invalid();
      }
      if (!Verdict.isValid(blob.verdict(e))) {
        throw invalid();
      }
    } else if (blob.targetIsError(e)) {
      if (targetSize != XtEntryTarget.ERROR_SIZE
          || !FixedName.isTerminated(
              blob.buffer(), t + XtEntryTarget.HEADER_SIZE, XtEntryTarget.ERROR_NAME_LEN)) {
        throw invalid();
      }
    }
    checkMatches(blob, e + IptEntry.SIZE, t);
  }

  /** xt_check_entry_match: aligned matches of sane sizes that end exactly at the target. */
  private static void checkMatches(EntryBlob blob, int first, int target) throws Rejection {
    int length = target - first;
    int pos = first;
    while (length > 0) {
      if (pos % 8 != 0) {
        throw invalid();
      }
      if (length < XtEntryMatch.HEADER_SIZE) {
        throw invalid();
      }
      int size = blob.u16(pos + XtEntryMatch.OFF_SIZE);
      if (size < XtEntryMatch.HEADER_SIZE || size > length) {
        throw invalid();
      }
      length -= size;
      pos += size;
    }
  }

  /** check_underflow: a policy must be an unconditional standard ACCEPT or DROP. */
  static boolean isUnderflow(EntryBlob blob, int e) {
    if (!blob.unconditional(e) || !blob.targetIsStandard(e)) {
      return false;
    }
    int v = blob.verdict(e);
    return v == Verdict.DROP || v == Verdict.ACCEPT;
  }

  private static Rejection invalid() {
    return new Rejection(Errno.EINVAL);
  }
}

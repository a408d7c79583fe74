package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Abi;
import java.util.Arrays;

/**
 * ip_tables' mark_source_chains: walks every chain from every hook without recursion, using each
 * entry's packet counter as a back pointer and comefrom bit NF_INET_NUMHOOKS as "on the current
 * path". Marks comefrom with the hooks an entry is reachable from; fails on a loop or on a walk off
 * the end of the table.
 */
final class SourceChains {
  private static final int ON_PATH = 1 << Abi.NUM_HOOKS;

  private SourceChains() {}

  static boolean mark(EntryBlob blob, int validHooks, int[] hookEntry, int[] offsets) {
    int size = blob.size();
    for (int hook = 0; hook < Abi.NUM_HOOKS; hook++) {
      if ((validHooks & (1 << hook)) == 0) {
        continue;
      }
      int pos = hookEntry[hook];
      blob.setPcnt(pos, pos);
      walk:
      for (; ; ) {
        int e = pos;
        int comefrom = blob.comefrom(e);
        boolean visited = (comefrom & (1 << hook)) != 0;
        if ((comefrom & ON_PATH) != 0) {
          return false;
        }
        blob.setComefrom(e, comefrom | (1 << hook) | ON_PATH);
        boolean standard = blob.targetIsStandard(e);
        if ((blob.unconditional(e) && standard && blob.verdict(e) < 0) || visited) {
          // Return: backtrack through the last big jump.
          int oldpos;
          do {
            blob.setComefrom(e, blob.comefrom(e) ^ ON_PATH);
            oldpos = pos;
            pos = (int) blob.pcnt(e);
            blob.setPcnt(e, 0);
            if (pos == oldpos) {
              break walk;
            }
            e = pos;
          } while (Integer.toUnsignedLong(oldpos)
              == Integer.toUnsignedLong(pos) + blob.nextOffset(e));
          int step = blob.nextOffset(e);
          if (Integer.toUnsignedLong(pos) + step >= size) {
            return false;
          }
          blob.setPcnt(pos + step, pos);
          pos += step;
        } else {
          int newpos;
          if (standard && blob.verdict(e) >= 0) {
            newpos = blob.verdict(e);
            if (Arrays.binarySearch(offsets, newpos) < 0) {
              return false;
            }
          } else {
            newpos = pos + blob.nextOffset(e);
            if (newpos >= size) {
              return false;
            }
          }
          blob.setPcnt(newpos, pos);
          pos = newpos;
        }
      }
    }
    return true;
  }
}

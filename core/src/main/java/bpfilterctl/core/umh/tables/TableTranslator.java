package bpfilterctl.core.umh.tables;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * ip_tables' translate_table: turns the entries of an ipt_replace into a checked table, or says
 * which errno the kernel would refuse them with. Touches nothing but the blob it is given.
 */
final class TableTranslator {
  /** XT_MAX_TABLE_SIZE: 512 MiB. */
  static final long MAX_TABLE_SIZE = 512L << 20;

  private final ExtensionChecks extensionChecks;

  TableTranslator(ExtensionRegistry registry) {
    this.extensionChecks = new ExtensionChecks(registry);
  }

  /**
   * @param table the table name the extensions are checked against
   * @param entries the entries, exactly {@code size} bytes; modified in place (comefrom, counters)
   */
  TranslatedTable translate(
      String table,
      int validHooks,
      int numEntries,
      int[] wantedEntry,
      int[] wantedUnderflow,
      byte[] entries)
      throws Rejection {
    long number = Integer.toUnsignedLong(numEntries);
    if (number > MAX_TABLE_SIZE / Integer.BYTES) {
      throw new Rejection(Errno.ENOMEM); // xt_alloc_entry_offsets
    }
    int[] hookEntry = new int[Abi.NUM_HOOKS];
    int[] underflow = new int[Abi.NUM_HOOKS];
    Arrays.fill(hookEntry, HookChecks.UNSET);
    Arrays.fill(underflow, HookChecks.UNSET);
    EntryBlob blob = new EntryBlob(entries);

    List<Integer> offsets = new ArrayList<>();
    long seen = 0;
    for (int e = 0; e < blob.size(); e += blob.nextOffset(e)) {
      EntryChecks.checkSizeAndHooks(
          blob, e, validHooks, wantedEntry, wantedUnderflow, hookEntry, underflow);
      if (seen < number) {
        offsets.add(e);
      }
      seen++;
    }
    if (seen != number) {
      throw new Rejection(Errno.EINVAL);
    }
    HookChecks.check(hookEntry, underflow, validHooks);
    int[] offs = offsets.stream().mapToInt(Integer::intValue).toArray();
    if (!SourceChains.mark(blob, validHooks, hookEntry, offs)) {
      throw new Rejection(Errno.ELOOP);
    }
    List<EntryLayout> layout = new ArrayList<>(offs.length);
    for (int e : offs) {
      layout.add(extensionChecks.check(blob, e, table));
    }
    for (EntryLayout entry : layout) {
      ExtensionChecks.normalize(blob, entry);
    }
    return new TranslatedTable(hookEntry, underflow, entries, layout);
  }
}

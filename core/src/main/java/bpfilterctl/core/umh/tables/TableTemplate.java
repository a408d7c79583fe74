package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The tables ip_tables knows (iptable_filter, _nat, _mangle, _raw, _security) and what each holds
 * when first used: an ACCEPT policy per hook and the closing ERROR entry (ipt_alloc_initial_table).
 */
enum TableTemplate {
  FILTER("filter", Hook.INPUT, Hook.FORWARD, Hook.OUTPUT),
  NAT("nat", Hook.PREROUTING, Hook.INPUT, Hook.OUTPUT, Hook.POSTROUTING),
  MANGLE("mangle", Hook.values()),
  RAW("raw", Hook.PREROUTING, Hook.OUTPUT),
  SECURITY("security", Hook.INPUT, Hook.FORWARD, Hook.OUTPUT);

  private final String tableName;
  private final List<Hook> hooks;

  TableTemplate(String tableName, Hook... hooks) {
    this.tableName = tableName;
    this.hooks = List.of(hooks);
  }

  String tableName() {
    return tableName;
  }

  int validHooks() {
    int v = 0;
    for (Hook h : hooks) {
      v |= h.bit();
    }
    return v;
  }

  static Optional<TableTemplate> named(String name) {
    return Arrays.stream(values()).filter(t -> t.tableName.equals(name)).findFirst();
  }

  /** The initial entries, with hook_entry == underflow == each policy's offset. */
  List<IptEntry> initialEntries() {
    List<IptEntry> entries = new ArrayList<>();
    for (int i = 0; i < hooks.size(); i++) {
      entries.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)));
    }
    entries.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error(XtEntryTarget.ERROR)));
    return entries;
  }

  int[] initialHookOffsets() {
    int[] offsets = IptEntries.offsets(initialEntries());
    int[] perHook = new int[Abi.NUM_HOOKS];
    Arrays.fill(perHook, HookChecks.UNSET);
    for (int i = 0; i < hooks.size(); i++) {
      perHook[hooks.get(i).ordinal()] = offsets[i];
    }
    return perHook;
  }

  /** Builds the table through the same translation as a replace, as the kernel registers it. */
  Table instantiate(TableTranslator translator) {
    List<IptEntry> entries = initialEntries();
    int[] offsets = initialHookOffsets();
    try {
      return new Table(
          tableName,
          validHooks(),
          translator.translate(
              tableName,
              validHooks(),
              entries.size(),
              offsets,
              offsets,
              IptEntries.encode(entries)));
    } catch (Rejection r) {
      throw new IllegalStateException("initial " + tableName + " table rejected: " + r.errno(), r);
    }
  }
}

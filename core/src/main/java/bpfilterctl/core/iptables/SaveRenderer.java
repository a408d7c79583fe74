package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.RuleTable.Chain;
import bpfilterctl.core.iptables.RuleTable.Rule;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.traffic.EntryRenderer;
import bpfilterctl.core.traffic.TableLayout;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetinfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Entries as iptables-save prints them, for the traffic views: chain lines, then "-A" rules with
 * every extension's options. Nothing is asked of the module (every revision counts as supported);
 * entries it cannot read as a table (no layout, a malformed blob) go to the fallback.
 */
public final class SaveRenderer implements EntryRenderer {
  private final XtExtensions extensions;
  private final Lookups lookups;
  private final EntryRenderer fallback;

  public SaveRenderer(XtExtensions extensions, Lookups lookups, EntryRenderer fallback) {
    this.extensions = extensions;
    this.lookups = lookups;
    this.fallback = fallback;
  }

  @Override
  public List<String> render(String table, TableLayout layout, List<IptEntry> entries) {
    if (!layout.known()) {
      return fallback.render(table, layout, entries);
    }
    try {
      IptGetinfo info =
          new IptGetinfo(
              table,
              layout.validHooks(),
              layout.hookEntry(),
              layout.underflow(),
              entries.size(),
              IptEntries.size(entries));
      RuleTable t = RuleTable.parse(info, entries);
      Revisions revisions = new Revisions(extensions, new EveryRevision(), w -> {});
      RulePrinter printer = new RulePrinter(revisions, lookups, table);
      List<String> out = new ArrayList<>();
      for (Chain c : t.chains()) {
        out.add(RulePrinter.saveChainLine(c));
      }
      for (Chain c : t.chains()) {
        for (Rule r : c.rules()) {
          StringBuilder line = new StringBuilder();
          printer.saveRule(line, r, c.name(), 1);
          out.add(line.toString().stripTrailing());
        }
      }
      return out;
    } catch (RuleTable.TableError | RuleException | ModuleException | RuntimeException e) {
      return fallback.render(table, layout, entries);
    }
  }

  /** Answers every GET_REVISION_* as supported and nothing else: printing asks no module. */
  private static final class EveryRevision implements Sockopts {
    @Override
    public byte[] get(int cmd, byte[] in) throws SockoptError {
      if (cmd == Sockopt.IPT_SO_GET_REVISION_MATCH.cmd()
          || cmd == Sockopt.IPT_SO_GET_REVISION_TARGET.cmd()) {
        return in;
      }
      throw new SockoptError(Errno.ENOPROTOOPT.code());
    }

    @Override
    public byte[] set(int cmd, byte[] value) throws SockoptError {
      throw new SockoptError(Errno.ENOPROTOOPT.code());
    }
  }
}

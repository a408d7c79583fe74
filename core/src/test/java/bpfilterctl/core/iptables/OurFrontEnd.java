package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.umh.tables.TableEngine;
import java.time.ZonedDateTime;
import java.util.List;

/** Our three commands over a fresh in-process table engine, answering as {@link LegacyKernel}. */
final class OurFrontEnd {
  private final Iptables iptables;

  OurFrontEnd() {
    this(
        new Iptables(
            ModuleSockopts.direct(new TableEngine(ExtensionRegistry.kernel())::handle),
            XtExtensions.standard(),
            Lookups.system()));
  }

  OurFrontEnd(Iptables iptables) {
    this.iptables = iptables;
  }

  Iptables iptables() {
    return iptables;
  }

  Outcome iptables(String... argv) throws ModuleException {
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int status = iptables.run(List.of(argv), out, err);
    return new Outcome(out.toString(), err.toString(), status);
  }

  /** iptables-restore ARGV with {@code input} as its stdin. */
  Outcome restore(String input, String... argv) throws ModuleException {
    IptablesRestore.Options o;
    try {
      o = IptablesRestore.options(List.of(argv));
    } catch (IptablesRestore.Usage u) {
      return u.toStdout()
          ? new Outcome(u.getMessage() + "\n", "", u.status())
          : new Outcome("", u.getMessage() + "\n", u.status());
    }
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int status = new IptablesRestore(iptables).run(o, input, out, err);
    return new Outcome(out.toString(), err.toString(), status);
  }

  Outcome save(String... argv) throws ModuleException {
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int status = new IptablesSave(iptables, ZonedDateTime::now).run(List.of(argv), out, err);
    return new Outcome(out.toString(), err.toString(), status);
  }
}

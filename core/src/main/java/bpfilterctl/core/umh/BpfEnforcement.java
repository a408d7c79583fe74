package bpfilterctl.core.umh;

import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.bpf.compile.Refusal;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.enforce.Generation;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.umh.tables.Enforcement;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** The umh's filter table enforced by BPF programs in the umh's own network namespace. */
public final class BpfEnforcement implements Enforcement {
  private final Enforcer enforcer;
  private final PrintStream log;
  private String lastRefusal = "";

  public BpfEnforcement(Enforcer enforcer, PrintStream log) {
    this.enforcer = enforcer;
    this.log = log;
    enforcer.listen(log::println); // REJECT's replies, LOG's lines
  }

  @Override
  public boolean offers(ExtensionKind kind, String name) {
    return kind == ExtensionKind.MATCH
        ? FilterCompiler.compilesMatch(name)
        : FilterCompiler.compilesTarget(name);
  }

  @Override
  public Optional<Errno> refusal(FilterTable table) {
    try {
      enforcer.check(table);
      return Optional.empty();
    } catch (Refusal r) {
      lastRefusal = r.getMessage();
      log.println("umh: filter replace refused: " + r.getMessage());
      // What a kernel without that module answers (xt_find_match/target: ENOENT).
      return Optional.of(r.isExtension() ? Errno.ENOENT : Errno.EINVAL);
    }
  }

  /** Why the last table was refused; empty when none was. */
  public String lastRefusal() {
    return lastRefusal;
  }

  @Override
  public List<XtCounters> install(FilterTable table) throws EnforcementFailure {
    try {
      List<XtCounters> old = enforcer.install(table);
      Generation g = enforcer.live().orElseThrow();
      log.println(
          "umh: filter enforced: generation "
              + g.number()
              + ", priority "
              + g.priority()
              + ", instructions "
              + g.instructions());
      return old;
    } catch (Refusal | BpfException e) {
      log.println("umh: filter not enforced: " + e.getMessage().lines().findFirst().orElse(""));
      throw new EnforcementFailure(e.getMessage());
    }
  }

  @Override
  public boolean adopted() {
    return enforcer.live().map(Generation::isAdopted).orElse(false);
  }

  @Override
  public List<XtCounters> traffic() {
    Optional<Generation> live = enforcer.live();
    if (live.isEmpty() || live.get().isAdopted()) {
      return List.of();
    }
    try {
      return live.get().counters();
    } catch (BpfException e) {
      log.println("umh: cannot read filter counters: " + e.getMessage());
      return List.of();
    }
  }
}

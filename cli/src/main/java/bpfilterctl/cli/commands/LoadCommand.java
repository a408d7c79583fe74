package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.StatusView;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "load",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl load && bpfilterctl status   # two processes: the second has no module",
      "  printf 'load\\nstatus\\n' | bpfilterctl --batch -",
      "  bpfilterctl load --enforce              # packets obey the filter table (enforce off)",
    },
    description = "Spawn the umh and health-check it (a no-op when the module is healthy).")
public final class LoadCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  @Option(
      names = "--discard-damaged",
      description =
          "Set damaged table files in the state dir aside and start without them (load refuses"
              + " to start over damaged state otherwise).")
  private boolean discardDamaged;

  @Option(
      names = "--enforce",
      description =
          "Also enforce the filter table with BPF programs at the netfilter hooks of this network"
              + " namespace, now and after every restart (Linux 6.4+, kernel BTF, CAP_BPF and"
              + " CAP_NET_ADMIN). Where that is not possible the module runs unenforced, and load"
              + " says why and exits 1. `enforce off` ends it.")
  private boolean enforce;

  private final Session session;
  @Spec private CommandSpec spec;

  public LoadCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException, IOException, InterruptedException {
    // A daemon started here says so on stderr (Session's notice).
    session.ensureDaemonForOneShot();
    String refused = null;
    if (enforce) {
      try {
        // unloaded: the wish for the umh load starts; loaded: enforced now
        session.module().enforce(true);
      } catch (ModuleException e) {
        if (e.kind() != ModuleException.Kind.REFUSED) {
          throw e;
        }
        refused = e.getMessage();
      }
    }
    int pid = discardDamaged ? session.module().loadDiscardingDamaged() : session.module().load();
    ModuleStatus st = session.module().status();
    spec.commandLine()
        .getOut()
        .printf("module loaded: umh pid %d healthy in %.0f ms%n", pid, st.loadMillis());
    if (!enforce) {
      return ExitCodes.OK;
    }
    EnforcementStatus e = st.enforcement();
    if (e.state() == EnforcementStatus.State.ON) {
      spec.commandLine().getOut().print(StatusView.enforcement(e));
      return ExitCodes.OK;
    }
    spec.commandLine()
        .getErr()
        .println(
            "bpfilterctl: load: "
                + (refused != null
                    ? refused
                    : "enforcement unavailable: " + e.reason() + " (the module runs unenforced)"));
    return ExitCodes.FAILURE;
  }
}

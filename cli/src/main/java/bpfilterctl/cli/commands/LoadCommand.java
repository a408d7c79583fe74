package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
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

  private final Session session;
  @Spec private CommandSpec spec;

  public LoadCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException, IOException, InterruptedException {
    // A daemon started here says so on stderr (Session's notice).
    session.ensureDaemonForOneShot();
    int pid = discardDamaged ? session.module().loadDiscardingDamaged() : session.module().load();
    ModuleStatus st = session.module().status();
    spec.commandLine()
        .getOut()
        .printf("module loaded: umh pid %d healthy in %.0f ms%n", pid, st.loadMillis());
    return 0;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.module.LastExit;
import bpfilterctl.core.module.ModuleException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "unload",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> unload",
    },
    description = "Close the umh's request pipe; SIGKILL it if it has not exited within 1 s.")
public final class UnloadCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  public UnloadCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException {
    int pid = session.module().status().umhPid();
    session.module().unload();
    LastExit last = session.module().status().lastExit();
    if (pid == 0 || last == null) {
      spec.commandLine().getOut().println("module unloaded (no umh was running)");
    } else {
      spec.commandLine()
          .getOut()
          .printf("module unloaded: umh pid %d %s%n", last.pid(), last.status().describe());
    }
    return 0;
  }
}

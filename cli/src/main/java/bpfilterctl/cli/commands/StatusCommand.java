package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.cli.StatusView;
import bpfilterctl.core.module.ModuleStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    mixinStandardHelpOptions = true,
    name = "status",
    description = "Show the module state, the umh's pid, health, counters and latency.")
public final class StatusCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Option(names = "--json", description = "One JSON object with stable keys.")
  private boolean json;

  public StatusCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    ModuleStatus s = session.host().status();
    spec.commandLine()
        .getOut()
        .print(json ? s.toJson() + System.lineSeparator() : StatusView.render(s));
    return 0;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.cli.StatusView;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleStatus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl status --json | jq -r .state",
      "  bpf[HEALTHY 48211]> status",
    },
    description = "Show the module state, the umh's pid, health, counters and latency.")
public final class StatusCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  @Option(names = "--json", description = "One JSON object with stable keys.")
  private boolean json;

  public StatusCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException {
    ModuleStatus s = session.module().status();
    String mode = session.module().mode();
    // "daemon at PATH" is two facts: the kind, and where (a key of its own for scripts)
    String socket = mode.startsWith("daemon at ") ? mode.substring("daemon at ".length()) : null;
    spec.commandLine()
        .getOut()
        .print(
            json
                ? s.toJson(socket == null ? mode : "daemon", socket) + System.lineSeparator()
                : "mode    " + mode + System.lineSeparator() + StatusView.render(s));
    return 0;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "exit",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> exit",
      "  printf 'load\\nexit 3\\nstatus\\n' | bpfilterctl --batch -   # exits 3, status never runs",
    },
    aliases = "quit",
    description = {
      "Leave the shell or stop the batch (as Ctrl-D does).",
      "An embedded module is unloaded; a daemon's stays loaded for the others. An enforced"
          + " filter table stays enforced and pinned (never fail open): unload or enforce off"
          + " first to end it.",
    })
public final class ExitCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;

  @Parameters(
      arity = "0..1",
      paramLabel = "STATUS",
      defaultValue = "0",
      description = "The exit status (default: ${DEFAULT-VALUE}).")
  private int status;

  public ExitCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    session.leave();
    return status;
  }
}

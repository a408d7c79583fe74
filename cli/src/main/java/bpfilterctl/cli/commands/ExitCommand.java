package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "exit",
    aliases = "quit",
    mixinStandardHelpOptions = true,
    description = {
      "Leave the shell or stop the batch, unloading the embedded module (as Ctrl-D does).",
    })
public final class ExitCommand implements Callable<Integer> {
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

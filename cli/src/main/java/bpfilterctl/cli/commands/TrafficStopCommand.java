package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "stop", description = "End the shell's background recording (traffic record).")
public final class TrafficStopCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  public TrafficStopCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws IOException {
    Optional<AutoCloseable> job = session.removeJob(TrafficRecordCommand.JOB);
    if (job.isEmpty()
        || !(job.get() instanceof TrafficRecordCommand.BackgroundRecording recording)) {
      spec.commandLine().getErr().println("bpfilterctl: traffic stop: no recording runs");
      return ExitCodes.FAILURE;
    }
    recording.close();
    spec.commandLine()
        .getOut()
        .println(TrafficRecordCommand.summary(recording.file(), recording.recorder()));
    return ExitCodes.OK;
  }
}

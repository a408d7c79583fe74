package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.traffic.RecordingReader;
import bpfilterctl.core.traffic.ReplayOutcome;
import bpfilterctl.core.traffic.Replayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "replay",
    description = {
      "Send a recording's requests again and report every answer that differs.",
      "In order, comparing the status, then the payload, with the recorded answer. By default"
          + " into a private module with fresh tables, so the live firewall is untouched;"
          + " --live sends them to the session's module. Exit status 1 when any answer differs."
    })
public final class TrafficReplayCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "A recording (traffic record).")
  private Path file;

  @Option(names = "--live", description = "Replay into the session's module (changes its tables).")
  private boolean live;

  public TrafficReplayCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws IOException, ModuleException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Frame> frames;
    try {
      frames = RecordingReader.read(file);
    } catch (NoSuchFileException e) {
      err.println("bpfilterctl: traffic replay: no such file: " + file);
      return ExitCodes.USAGE;
    } catch (IllegalArgumentException e) {
      err.println("bpfilterctl: traffic replay: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    int caller = (int) ProcessHandle.current().pid();
    List<ReplayOutcome> outcomes;
    if (live) {
      ModuleAccess module = session.module();
      if (module.state() == ModuleState.UNLOADED) {
        module.load();
      }
      outcomes = Replayer.replay(frames, module, caller);
    } else {
      try (ModuleHost host = new ModuleHost(session.config().withStateDir(Optional.empty()))) {
        host.load();
        outcomes = Replayer.replay(frames, host, caller);
      }
    }
    long same = 0;
    long differ = 0;
    long skipped = 0;
    for (ReplayOutcome o : outcomes) {
      Frame r = o.request();
      switch (o.kind()) {
        case SAME -> same++;
        case DIFFERS -> {
          differ++;
          out.printf("differs: frame %d %s: %s%n", r.seq(), r.optionName(), o.why());
        }
        case SKIPPED -> {
          skipped++;
          out.printf("skipped: frame %d %s: %s%n", r.seq(), r.optionName(), o.why());
        }
      }
    }
    out.printf(
        "%d requests replayed: %d same, %d differ, %d skipped%n",
        same + differ + skipped, same, differ, skipped);
    return differ == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "log",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> log -n 20",
      "  bpfilterctl --batch cmds.bpf; echo 'log --json' | bpfilterctl --batch -",
    },
    description = "Show the module log: the umh's stderr lines and the host's events.")
public final class LogCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  private final Session session;
  @Spec private CommandSpec spec;

  @Option(
      names = {"-n", "--lines"},
      defaultValue = "100",
      description = "How many of the last lines (default: ${DEFAULT-VALUE}).")
  private int lines;

  @Option(names = "--json", description = "One JSON object per line.")
  private boolean json;

  public LogCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException {
    if (lines < 0) {
      throw new ParameterException(spec.commandLine(), "--lines must not be negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    for (LogLine l : session.module().log(lines)) {
      if (json) {
        out.println(l.toJson());
      } else {
        out.printf(
            "%s %s %d  %s%n",
            TIME.format(l.at()),
            l.source() == LogLine.Source.UMH ? "umh " : "host",
            l.pid(),
            l.text());
      }
    }
    return 0;
  }
}

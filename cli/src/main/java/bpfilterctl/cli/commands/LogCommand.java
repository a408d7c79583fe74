package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.module.LogLine;
import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<LogLine> all = session.host().log().lines();
    for (LogLine l : all.subList(Math.max(0, all.size() - lines), all.size())) {
      if (json) {
        out.println(
            new JsonWriter()
                .beginObject()
                .field("at", l.at().toString())
                .field("pid", l.pid())
                .field("source", l.source().name().toLowerCase(java.util.Locale.ROOT))
                .field("text", l.text())
                .endObject());
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

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.module.ModuleException;
import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The rules with their packet and byte counters, read again every interval: {@code iptables -L -v
 * -n -x} that refreshes, as watch(1) would run it, without a second process per refresh.
 */
@Command(
    name = "counters",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl counters                  # filter, every second, until Ctrl-C",
      "  bpfilterctl counters -t nat -i 5",
      "  bpfilterctl counters -c 1 > now.txt   # once",
    },
    description = {
      "Show the rules with their counters, read again every interval, until Ctrl-C.",
      "The listing is iptables -L -v -n -x of the table (the module is loaded at the first read,"
          + " as iptables does). On a terminal each listing replaces the one before."
    })
public final class CountersCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Mixin private HelpOption helpOption;
  @Mixin private TableOption table;

  private final Session session;
  private final boolean terminal;
  @Spec private CommandSpec spec;

  @Option(
      names = {"-i", "--interval"},
      paramLabel = "SECONDS",
      defaultValue = "1",
      description = "Seconds between reads (default: ${DEFAULT-VALUE}).")
  private double interval;

  @Option(
      names = {"-c", "--count"},
      paramLabel = "N",
      description = "Stop after N listings (default: until Ctrl-C).")
  private Integer count;

  /**
   * @param terminal stdout is a terminal: each listing clears the screen first
   */
  public CountersCommand(Session session, boolean terminal) {
    this.session = session;
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws ModuleException, InterruptedException {
    if (interval < 0.05) {
      throw new ParameterException(spec.commandLine(), "--interval must be at least 0.05");
    }
    if (count != null && count < 1) {
      throw new ParameterException(spec.commandLine(), "--count must be at least 1");
    }
    String t = table.table(spec.commandLine());
    PrintWriter out = spec.commandLine().getOut();
    for (int n = 0; count == null || n < count; n++) {
      if (n > 0) {
        long end = System.nanoTime() + (long) (interval * 1e9);
        while (System.nanoTime() < end && !session.cancelled()) {
          Thread.sleep(Math.min(50, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
        }
      }
      if (session.cancelled()) {
        break;
      }
      StringBuilder listing = new StringBuilder();
      StringBuilder err = new StringBuilder();
      int rc = session.iptables().run(List.of("-t", t, "-L", "-v", "-n", "-x"), listing, err);
      if (rc != 0) {
        Frontends.emit(spec, "", err);
        return rc;
      }
      if (terminal) {
        out.print("\033[H\033[2J");
      }
      out.printf(
          "%s  table %s  every %ss%n%n",
          LocalTime.now().format(TIME),
          t,
          interval == Math.rint(interval) ? (long) interval : interval);
      out.print(listing);
      out.flush();
    }
    return ExitCodes.OK;
  }
}

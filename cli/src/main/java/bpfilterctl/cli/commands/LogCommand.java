package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
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
      "  bpf[HEALTHY 48211]> log -f          # Ctrl-C returns to the prompt",
      "  bpfilterctl log -f --json | jq -r .text",
      "  bpfilterctl --batch cmds.bpf; echo 'log --json' | bpfilterctl --batch -",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success (with -f: stopped by Ctrl-C in the shell)",
      "1:failure (the daemon could not be reached)",
      ExitCodes.USAGE_LINE,
      "3:with -f: the module went away (daemon gone, module unloaded or FAILED), or an"
          + " embedded module was not loaded",
      ExitCodes.DENIED_LINE
    },
    description = {
      "Show the module log: the umh's stderr lines and the host's events.",
      "With -f, show the last lines, then each new one as it comes, until Ctrl-C (in the shell:"
          + " back to the prompt) or until the module goes away."
    })
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

  @Option(
      names = {"-f", "--follow"},
      description = "Then follow: print new lines as they come, until Ctrl-C.")
  private boolean follow;

  @Option(names = "--json", description = "One JSON object per line.")
  private boolean json;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description =
          "Only lines from WHEN on: an age (30s, 10m, 2h, 1d), a time of today (14:05,"
              + " 14:05:30) or an instant (2026-12-02T14:05:00Z).")
  private String since;

  public LogCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException, IOException, InterruptedException {
    if (lines < 0) {
      throw new ParameterException(spec.commandLine(), "--lines must not be negative");
    }
    PrintWriter out = spec.commandLine().getOut();
    Instant from;
    try {
      from = since == null ? Instant.MIN : since(since, Instant.now(), ZoneId.systemDefault());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    // --since alone reaches back as far as the log does
    int n =
        since != null && !spec.commandLine().getParseResult().hasMatchedOption("--lines")
            ? SINCE_LINES
            : lines;
    if (follow) {
      int rc =
          new LogFollow(
                  session,
                  n,
                  l -> {
                    if (!l.at().isBefore(from)) {
                      print(out, l);
                    }
                  },
                  spec.commandLine().getErr())
              .run();
      if (session.cancelled()) {
        out.println(); // the terminal echoed ^C where the cursor was: the prompt gets its own line
      }
      return rc;
    }
    for (LogLine l : session.module().log(n)) {
      if (!l.at().isBefore(from)) {
        print(out, l);
      }
    }
    return 0;
  }

  private static final int SINCE_LINES = 100_000;

  /** WHEN of --since: an age before {@code now}, a time of today in {@code zone}, or an instant. */
  public static Instant since(String when, Instant now, ZoneId zone) {
    java.util.regex.Matcher age = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(when);
    if (age.matches()) {
      long v = Long.parseLong(age.group(1));
      Duration d =
          switch (age.group(2)) {
            case "s" -> Duration.ofSeconds(v);
            case "m" -> Duration.ofMinutes(v);
            case "h" -> Duration.ofHours(v);
            default -> Duration.ofDays(v);
          };
      return now.minus(d);
    }
    try {
      LocalTime t = LocalTime.parse(when);
      return now.atZone(zone).toLocalDate().atTime(t).atZone(zone).toInstant();
    } catch (DateTimeParseException e) {
      // not a time of day; maybe an instant
    }
    try {
      return Instant.parse(when);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "--since: '" + when + "' is not an age (10m), a time (14:05) or an instant", e);
    }
  }

  private void print(PrintWriter out, LogLine l) {
    out.println(json ? l.toJson() : text(l));
    out.flush();
  }

  static String text(LogLine l) {
    return String.format(
        "%s %s %d  %s",
        TIME.format(l.at()), l.source() == LogLine.Source.UMH ? "umh " : "host", l.pid(), l.text());
  }
}

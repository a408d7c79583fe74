package bpfilterctl.cli;

import bpfilterctl.cli.shell.Shell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bpfilterctl",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = {
      "Load, supervise and talk to a bpfilter-style firewall module and its user mode helper"
          + " (umh).",
      "",
      "With no arguments on a terminal, opens an interactive shell; with stdin not a terminal,"
          + " runs it as a batch. Every shell command is also a one-shot: bpfilterctl COMMAND."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl                              # the shell: bpf[UNLOADED]> load",
      "  bpfilterctl status --json                # one-shot, machine-readable",
      "  printf 'load\\nping -c 3\\n' | bpfilterctl --batch -",
      "  bpfilterctl --keep-going --batch setup.bpf",
      "  source <(bpfilterctl completion bash)"
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:failure",
      ExitCodes.USAGE_LINE,
      ExitCodes.MODULE_DOWN_LINE,
      "4:permission denied"
    })
public final class RootCommand implements Callable<Integer> {
  private final Session session;
  private final Io io;
  @Spec private CommandSpec spec;

  @Option(
      names = "--batch",
      paramLabel = "FILE",
      description = "Run the commands in FILE (- for stdin), one per line, in this process.")
  private String batch;

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      defaultValue = "auto",
      completionCandidates = ColorMode.Names.class,
      description =
          "Colour: auto (on a terminal, unless NO_COLOR is set), always or never"
              + " (default: ${DEFAULT-VALUE}).")
  private ColorMode color;

  @Option(
      names = {"-j", "--json"},
      description = "JSON output from the command that follows (its --json).")
  private boolean json;

  @Option(
      names = {"-q", "--quiet"},
      description = "Nothing on stdout; errors on stderr and the exit status say the rest.")
  private boolean quiet;

  @Option(
      names = "--keep-going",
      description = "In a batch, go on after a failing command; exit with the last failure.")
  private boolean keepGoing;

  RootCommand(Session session, Io io) {
    this.session = session;
    this.io = io;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (batch == null) {
      if (io.inShell()) {
        return ExitCodes.OK;
      }
      if (System.console() == null) {
        return runBatch(
            "-", new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      }
      return new Shell(session, io.colour()).run();
    }
    if (batch.equals("-")) {
      return runBatch(
          "-", new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }
    try (BufferedReader r = Files.newBufferedReader(Path.of(batch), StandardCharsets.UTF_8)) {
      return runBatch(batch, r);
    } catch (NoSuchFileException e) {
      err.println("bpfilterctl: --batch: no such file: " + batch);
      return ExitCodes.USAGE;
    }
  }

  /**
   * One command per line; a line that {@link ShellWords} finds unfinished (ending in a backslash,
   * or inside quotes) goes on with the next, as the shell's does. What a command writes to stderr
   * is prefixed with {@code NAME:LINE: } (NAME "-" for stdin), the line where the command starts.
   */
  private int runBatch(String name, BufferedReader in) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = ExitCodes.OK;
    int lineNo = 0;
    int startLine = 0;
    StringBuilder pending = new StringBuilder();
    while (true) {
      String line = in.readLine();
      if (line == null) {
        if (pending.length() == 0) {
          return status;
        }
        // The file ended inside a quote or after a backslash.
        err.printf(
            "%s:%d: bpfilterctl: %s%n",
            name, startLine, ShellWords.scan(pending.toString()).missing().message());
        return ExitCodes.USAGE;
      }
      lineNo++;
      if (pending.length() == 0) {
        startLine = lineNo;
      } else {
        pending.append('\n');
      }
      ShellWords.Scan scan = ShellWords.scan(pending.append(line).toString());
      if (!scan.complete()) {
        continue;
      }
      pending.setLength(0);
      List<String> words = scan.texts();
      if (words.isEmpty()) {
        continue;
      }
      PrintWriter placed = new PrintWriter(new LinePrefix(err, name + ":" + startLine + ": "));
      int rc =
          GlobalFlags.execute(
              session, new Io(out, placed, io.colour(), true), words.toArray(String[]::new));
      out.flush();
      placed.flush();
      if (session.leaving()) {
        return rc;
      }
      if (rc != ExitCodes.OK) {
        status = rc;
        if (!keepGoing) {
          return status;
        }
      }
    }
  }
}

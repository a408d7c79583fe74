package bpfilterctl.cli;

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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bpfilterctl",
    mixinStandardHelpOptions = true,
    version = "bpfilterctl 0.1.0",
    description = "Load, supervise and talk to a bpfilter-style firewall module and its umh.",
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:failure",
      "2:usage error",
      "3:module not loaded, or its umh dead, failed or unresponsive",
      "4:permission denied"
    })
public final class RootCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Option(
      names = "--batch",
      paramLabel = "FILE",
      description = "Run the commands in FILE (- for stdin), one per line, in this process.")
  private String batch;

  @Option(
      names = "--keep-going",
      description = "In a batch, go on after a failing command; exit with the last failure.")
  private boolean keepGoing;

  RootCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter err = spec.commandLine().getErr();
    if (batch == null) {
      if (System.console() == null) {
        return runBatch(
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
      }
      spec.commandLine().usage(spec.commandLine().getOut());
      return ExitCodes.OK;
    }
    if (batch.equals("-")) {
      return runBatch(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }
    try (BufferedReader r = Files.newBufferedReader(Path.of(batch), StandardCharsets.UTF_8)) {
      return runBatch(r);
    } catch (NoSuchFileException e) {
      err.println("bpfilterctl: --batch: no such file: " + batch);
      return ExitCodes.USAGE;
    }
  }

  /** One command per line; a line ending in a backslash continues on the next. */
  private int runBatch(BufferedReader in) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = ExitCodes.OK;
    int lineNo = 0;
    StringBuilder pending = new StringBuilder();
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNo++;
      if (line.endsWith("\\")) {
        pending.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      String full = pending.append(line).toString();
      pending.setLength(0);
      List<String> words;
      try {
        words = ShellWords.split(full);
      } catch (IllegalArgumentException e) {
        err.printf("bpfilterctl: line %d: %s%n", lineNo, e.getMessage());
        status = ExitCodes.USAGE;
        if (!keepGoing) {
          return status;
        }
        continue;
      }
      if (words.isEmpty()) {
        continue;
      }
      CommandLine cl = Commands.create(session, out, err);
      int rc = cl.execute(words.toArray(String[]::new));
      out.flush();
      err.flush();
      if (rc != ExitCodes.OK) {
        status = rc;
        if (!keepGoing) {
          return status;
        }
      }
    }
    return status;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.raw.RawAnswer;
import bpfilterctl.core.raw.RawCall;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "raw",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl raw --ephemeral calls.jsonl > ours.jsonl",
      "  kernel-sockopt < calls.jsonl > kernel.jsonl && diff ours.jsonl kernel.jsonl",
    },
    description = {
      "Send raw IPT_SO_* calls given as JSON lines and print each answer.",
      "The format is that of shared/tools/kernel-sockopt, a call a line:",
      "  {\"op\": \"get\"|\"set\", \"cmd\": 64|\"IPT_SO_GET_INFO\", \"buf\": \"<hex>\"}",
      "Each answer is printed as kernel-sockopt does, so both outputs compare line by line."
    })
public final class RawCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  @Option(
      names = "--ephemeral",
      description = "Use a private module with fresh tables, discarded afterwards.")
  private boolean ephemeral;

  @Parameters(arity = "0..1", paramLabel = "FILE", description = "The calls (default: stdin).")
  private Path file;

  public RawCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws IOException, ModuleException {
    BufferedReader in =
        file == null
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(file, StandardCharsets.UTF_8);
    try (in) {
      if (ephemeral) {
        try (ModuleHost host = new ModuleHost(session.config().withStateDir(Optional.empty()))) {
          host.load();
          return run(host, in);
        }
      }
      ModuleAccess module = session.module();
      if (module.state() == ModuleState.UNLOADED) {
        int pid = module.load();
        spec.commandLine()
            .getErr()
            .printf("bpfilterctl: raw: loaded the module (umh pid %d)%n", pid);
      }
      return run(module, in);
    }
  }

  private int run(ModuleAccess module, BufferedReader in) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int status = ExitCodes.OK;
    int callerPid = (int) ProcessHandle.current().pid();
    int lineNo = 0;
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      RawCall call;
      try {
        call = RawCall.parse(line);
      } catch (IllegalArgumentException e) {
        err.printf("bpfilterctl: raw: line %d: %s%n", lineNo, e.getMessage());
        status = ExitCodes.USAGE;
        continue;
      }
      RawAnswer answer;
      try {
        MboxReply reply = module.call(call.toRequest(callerPid));
        answer = RawAnswer.of(call, reply);
      } catch (ModuleException e) {
        err.printf("bpfilterctl: raw: line %d: %s%n", lineNo, e.getMessage());
        answer = RawAnswer.failed(call, e.kind().errno());
        status = ExitCodes.of(e);
      }
      out.println(answer.toJsonLine());
      out.flush();
    }
    return status;
  }
}

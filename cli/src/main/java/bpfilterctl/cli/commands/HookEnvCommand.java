package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.hook.HookEnvironment;
import bpfilterctl.cli.hook.HookLibrary;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "env",
    footerHeading = "%nExamples:%n",
    footer = {
      "  eval \"$(bpfilterctl hook env)\"    # this shell's iptables programs now reach the module",
      "  bpfilterctl hook env >> ~/.profile-bpfilter",
    },
    description = {
      "Print the export lines that put a shell's programs under the hook.",
      "They set LD_PRELOAD (the hook ahead of anything already preloaded), BPFILTERCTL_SOCKET,"
          + " BPFILTERCTL_STATE_DIR and BPFILTERCTL_BIN (with which the hook starts a daemon"
          + " when none answers)."
    })
public final class HookEnvCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;
  private final Session session;

  public HookEnvCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() {
    Map<String, String> env = System.getenv();
    Optional<Path> lib = HookLibrary.find(env);
    if (lib.isEmpty()) {
      spec.commandLine().getErr().println("bpfilterctl: hook env: " + HookLibrary.notFound(env));
      return ExitCodes.FAILURE;
    }
    if (session.paths().isEmpty()) {
      spec.commandLine()
          .getErr()
          .println("bpfilterctl: hook env: this session has no daemon socket");
      return ExitCodes.FAILURE;
    }
    HookEnvironment he =
        new HookEnvironment(lib.get(), session.paths().get(), env.get("BPFILTERCTL_BIN"));
    spec.commandLine().getOut().print(he.exportLines(env));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }
}

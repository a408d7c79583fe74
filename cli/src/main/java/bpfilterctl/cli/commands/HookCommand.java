package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "hook",
    description = {
      "Set up the sockopt hook for unmodified iptables programs.",
      "The hook is a preload library that sends the iptables socket options of unmodified"
          + " programs to this module's daemon."
    })
public final class HookCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}

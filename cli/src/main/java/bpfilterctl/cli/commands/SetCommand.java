package bpfilterctl.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "set",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl set replace filter.blob",
      "  bpfilterctl set counters -t filter --counters 0:10:840",
    },
    description = "Send an IPT_SO_SET_* call: replace a table, or add to its counters.")
public final class SetCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: set replace or set counters");
  }
}

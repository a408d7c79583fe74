package bpfilterctl.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "revision",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl get revision match conntrack 3",
      "  bpfilterctl get revision target REJECT --json",
    },
    description = "Ask whether a match or target exists in a revision (IPT_SO_GET_REVISION_*).")
public final class GetRevisionCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: get revision match or get revision target");
  }
}

package bpfilterctl.cli.commands;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "get",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> get info -t nat",
      "  bpfilterctl get entries --json | jq '.entries[] | .counters'",
      "  bpfilterctl get revision match conntrack 3",
    },
    description = "Send an IPT_SO_GET_* call and print its decoded answer.")
public final class GetCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "Missing subcommand: get info, get entries or get revision");
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "traffic",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> traffic record /tmp/t.jsonl      # in the background",
      "  bpf[HEALTHY 48211]> traffic stop",
      "  bpfilterctl traffic show /tmp/t.jsonl --filter err",
      "  bpfilterctl traffic replay /tmp/t.jsonl || echo 'answers differ'",
    },
    description = {
      "Record the pipe traffic to a file (JSON lines, docs/traffic-format.md), show a",
      "recording decoded, or send its requests again and compare the answers."
    })
public final class TrafficCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}

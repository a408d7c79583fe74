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
      "Record, show or replay the pipe traffic.",
      "A recording is JSON lines (docs/traffic-format.md): show prints it decoded, replay sends"
          + " its requests again and compares the answers."
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

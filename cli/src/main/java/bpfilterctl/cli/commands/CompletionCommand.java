package bpfilterctl.cli.commands;

import bpfilterctl.cli.complete.CompletionScripts;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "completion",
    description =
        "Print the bash or zsh completion script, generated from this very command model.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  source <(bpfilterctl completion bash)      # this bash session",
      "  bpfilterctl completion zsh > ~/.zfunc/_bpfilterctl   # with ~/.zfunc in $fpath",
    })
public final class CompletionCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  /** The shells we write scripts for. */
  public enum Shell {
    bash,
    zsh
  }

  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  private Shell shell;

  @Override
  public Integer call() {
    var root = spec.root().commandLine();
    spec.commandLine()
        .getOut()
        .print(shell == Shell.bash ? CompletionScripts.bash(root) : CompletionScripts.zsh(root));
    return 0;
  }
}

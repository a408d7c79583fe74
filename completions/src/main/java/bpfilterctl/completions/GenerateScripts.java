package bpfilterctl.completions;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.CompletionScripts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Writes DIR/bash/bpfilterctl and DIR/zsh/_bpfilterctl from the picocli model, the same text that
 * {@code bpfilterctl completion bash|zsh} prints. Building the model starts nothing.
 */
public final class GenerateScripts {
  private GenerateScripts() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    try (Session session = Session.embedded()) {
      PrintWriter sink = new PrintWriter(new StringWriter());
      CommandLine root = Commands.create(session, sink, sink);
      // AutoComplete does not create its output folder; neither does Files.writeString.
      Files.createDirectories(dir.resolve("bash"));
      Files.createDirectories(dir.resolve("zsh"));
      Files.writeString(dir.resolve("bash").resolve("bpfilterctl"), CompletionScripts.bash(root));
      Files.writeString(dir.resolve("zsh").resolve("_bpfilterctl"), CompletionScripts.zsh(root));
    }
  }
}

package bpfilterctl.cli.commands;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code --hex} (the raw reply) or {@code --json} (decoded, stable keys); decoded text if none. */
public final class OutputFormat {
  @Option(
      names = "--hex",
      description = "Print the raw reply buffer as a hex dump (offset, 16 bytes, ASCII).")
  private boolean hex;

  @Option(names = "--json", description = "Print one JSON object with stable keys (README).")
  private boolean json;

  /** Which one; a usage error when both are asked for. */
  public Kind kind(CommandLine cl) {
    if (hex && json) {
      throw new ParameterException(cl, "--hex and --json exclude each other");
    }
    return hex ? Kind.HEX : json ? Kind.JSON : Kind.TEXT;
  }

  /** The three ways to print an answer. */
  public enum Kind {
    TEXT,
    HEX,
    JSON
  }
}

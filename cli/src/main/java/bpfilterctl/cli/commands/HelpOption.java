package bpfilterctl.cli.commands;

import picocli.CommandLine.Option;

/** {@code -h/--help} for every verb; the version belongs to the root alone. */
public final class HelpOption {
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;
}

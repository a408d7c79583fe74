package bpfilterctl.cli.commands;

import bpfilterctl.cli.complete.Tables;
import bpfilterctl.core.uapi.Abi;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code -t/--table TABLE}, as iptables spells it; filter when not given. */
public final class TableOption {
  @Option(
      names = {"-t", "--table"},
      paramLabel = "TABLE",
      defaultValue = Tables.DEFAULT,
      completionCandidates = Tables.class,
      description = "The table: filter, nat, mangle, raw or security (default: ${DEFAULT-VALUE}).")
  private String table;

  /** The table, checked to fit the 32-byte name field (NUL included) of the structures. */
  public String table(CommandLine cl) {
    if (table.isEmpty() || table.length() >= Abi.TABLE_NAME_LEN) {
      throw new ParameterException(
          cl, "--table: a table name is 1 to " + (Abi.TABLE_NAME_LEN - 1) + " characters");
    }
    return table;
  }
}

package bpfilterctl.cli.commands;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** What the iptables front-end commands share: their text goes out as iptables writes it. */
final class Frontends {
  private Frontends() {}

  /** stderr first: iptables' stdout is buffered and reaches a file or pipe after its errors. */
  static void emit(CommandSpec spec, CharSequence out, CharSequence err) {
    PrintWriter e = spec.commandLine().getErr();
    e.print(err);
    e.flush();
    PrintWriter o = spec.commandLine().getOut();
    o.print(out);
    o.flush();
  }
}

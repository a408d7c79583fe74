package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.iptables.IptablesRestore;
import bpfilterctl.core.module.ModuleException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "iptables-restore",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl iptables-restore < /etc/iptables/rules.v4",
      "  bpf[HEALTHY 48211]> iptables-restore --noflush extra.rules",
      "  bpfilterctl iptables-restore --test rules.v4 && echo syntax ok",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:failure",
      "2:bad parameter (iptables' PARAMETER_PROBLEM), or the module's socket refuses this user",
      "3:no such table, or the module cannot be reached",
      "4:the table changed under the commit (EAGAIN)",
    },
    description = {
      "Restore tables from iptables-save output, as iptables-restore 1.8.9 does.",
      "Each *table ... COMMIT block is committed as one replace, so a block that fails changes"
          + " nothing in its table. -c restores counters, -n keeps what is there, -t only"
          + " checks, -T TABLE restores one table. FILE, or stdin."
    })
public final class IptablesRestoreCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(
      arity = "0..*",
      paramLabel = "ARG",
      description = "[-c] [-n] [-t] [-v] [-T TABLE] [FILE]")
  private List<String> args = new ArrayList<>();

  public IptablesRestoreCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException {
    IptablesRestore.Options o;
    try {
      o = IptablesRestore.options(args);
    } catch (IptablesRestore.Usage u) {
      if (u.toStdout()) {
        Frontends.emit(spec, u.getMessage() + "\n", "");
      } else {
        Frontends.emit(spec, "", u.getMessage() + "\n");
      }
      return u.status();
    }
    String input;
    try {
      input =
          o.file() == null
              ? new String(session.caller().stdin().readAllBytes(), StandardCharsets.ISO_8859_1)
              : new String(
                  session.caller().readFile(o.file(), Integer.MAX_VALUE - 8, false),
                  StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      Frontends.emit(spec, "", "Can't open " + o.file() + ": " + e.getMessage() + "\n");
      return 1;
    }
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int status = new IptablesRestore(session.iptables()).run(o, input, out, err);
    Frontends.emit(spec, out, err);
    return status;
  }
}

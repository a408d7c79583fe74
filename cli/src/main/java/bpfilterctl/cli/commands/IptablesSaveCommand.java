package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.iptables.IptablesSave;
import bpfilterctl.core.module.ModuleException;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "iptables-save",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl iptables-save -c > /etc/iptables/rules.v4",
      "  bpf[HEALTHY 48211]> iptables-save -t nat",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:failure, or the module's socket refuses this user (as iptables-save on the kernel)",
      "2:bad parameter (iptables' PARAMETER_PROBLEM)",
      "3:no such table, or the module cannot be reached",
    },
    description = {
      "Print the module's tables in the iptables-restore format, as iptables-save 1.8.9 does.",
      "Every table the module holds, or -t TABLE; -c adds the counters, -f FILE writes to FILE."
    })
public final class IptablesSaveCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(arity = "0..*", paramLabel = "ARG", description = "[-c] [-t TABLE] [-f FILE]")
  private List<String> args = new ArrayList<>();

  public IptablesSaveCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException {
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int status = new IptablesSave(session.iptables(), ZonedDateTime::now).run(args, out, err);
    Frontends.emit(spec, out, err);
    return status;
  }
}

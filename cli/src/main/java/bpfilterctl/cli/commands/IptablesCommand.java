package bpfilterctl.cli.commands;

import bpfilterctl.cli.Session;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.module.ModuleException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "iptables",
    usageHelpAutoWidth = true,
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> iptables -A INPUT -p tcp --dport 22 -j ACCEPT",
      "  bpf[HEALTHY 48211]> iptables -L -n -v --line-numbers",
      "  bpfilterctl iptables -t nat -S",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:success",
      "1:failure",
      "2:bad parameter (iptables' PARAMETER_PROBLEM)",
      "3:no such table, the module cannot be reached, or its socket refuses this user (as iptables"
          + " answers a user who is not root)",
      "4:the table changed under the commit (EAGAIN)",
    },
    description = {
      "Run iptables-legacy 1.8.9 against the module.",
      "The same options, output, messages and exit statuses, and the same IPT_SO_* calls byte"
          + " for byte. Everything after the command name is iptables' (-h prints its usage)."
          + " The module is loaded at the first call that needs it."
    })
public final class IptablesCommand implements Callable<Integer> {
  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(
      arity = "0..*",
      paramLabel = "ARG",
      description =
          "iptables' arguments: a command (-A -I -D -R -C -L -S -F -Z -N -X -E -P),"
              + " a rule specification and options.")
  private List<String> args = new ArrayList<>();

  public IptablesCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException {
    // -h and -V need no module (and start no daemon)
    Optional<String> info = Iptables.info(args, session.extensions(), session.lookups());
    if (info.isPresent()) {
      Frontends.emit(spec, info.get(), "");
      return 0;
    }
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    int status = session.iptables().run(args, out, err);
    Frontends.emit(spec, out, err);
    return status;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.StatusView;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.ModuleException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "enforce",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl enforce on     # compile the filter table and attach it",
      "  bpfilterctl enforce off    # detach and unpin; the table and the module stay",
      "  bpfilterctl status --json | jq .enforcement",
    },
    description = {
      "Turn enforcement of the filter table by BPF programs on or off (docs/enforcement.md).",
      "On: the current filter table is compiled and attached at the netfilter hooks of the"
          + " module's network namespace, and every later replace and restart keeps it so. A table"
          + " the compiler cannot express, or a machine that cannot enforce, is refused with the"
          + " reason; the module runs on unenforced.",
      "Off: the programs are detached and their pins removed; the counters stay in the table.",
      "With no module loaded, the choice applies to the next load."
    })
public final class EnforceCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  @Parameters(
      paramLabel = "on|off",
      completionCandidates = Switch.class,
      description = "on or off.")
  private String onOff;

  /** The values, for completion. */
  static final class Switch extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Switch() {
      super(List.of("on", "off"));
    }
  }

  private final Session session;
  @Spec private CommandSpec spec;

  public EnforceCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException, IOException, InterruptedException {
    if (!onOff.equals("on") && !onOff.equals("off")) {
      spec.commandLine()
          .getErr()
          .println("bpfilterctl: enforce: '" + onOff + "' is neither on nor off");
      return ExitCodes.USAGE;
    }
    // Like load: a one-shot keeps its choice in a daemon (Session's notice).
    session.ensureDaemonForOneShot();
    EnforcementStatus e = session.module().enforce(onOff.equals("on"));
    boolean loaded = session.module().status().umhPid() != 0;
    spec.commandLine()
        .getOut()
        .print(
            loaded
                ? StatusView.enforcement(e)
                : "enforce "
                    + onOff
                    + ": applies when the module is loaded"
                    + System.lineSeparator());
    return ExitCodes.OK;
  }
}

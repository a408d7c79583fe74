package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.ExtensionNames;
import bpfilterctl.core.mbox.Sockopt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "target",
    footerHeading = "%nExamples:%n",
    footer = {"  bpfilterctl get revision target REJECT"},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the target exists in that revision",
      "1:it does not (ENOENT: no such target; EPROTONOSUPPORT: not in that revision)",
      ExitCodes.USAGE_LINE,
      ExitCodes.MODULE_DOWN_LINE,
      ExitCodes.DENIED_LINE
    },
    description = "Send IPT_SO_GET_REVISION_TARGET: does the target NAME exist in revision REV?")
public final class RevisionTargetCommand extends RevisionQuery {
  @Parameters(
      index = "0",
      paramLabel = "NAME",
      completionCandidates = ExtensionNames.Targets.class,
      description = "The target's name.")
  private String name;

  public RevisionTargetCommand(Session session) {
    super(session);
  }

  @Override
  Sockopt option() {
    return Sockopt.IPT_SO_GET_REVISION_TARGET;
  }

  @Override
  String kind() {
    return "target";
  }

  @Override
  String name() {
    return name;
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.ExtensionNames;
import bpfilterctl.core.mbox.Sockopt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "match",
    footerHeading = "%nExamples:%n",
    footer = {"  bpfilterctl get revision match conntrack 3 && echo has conntrack v3"},
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the match exists in that revision",
      "1:it does not (ENOENT: no such match; EPROTONOSUPPORT: not in that revision)",
      ExitCodes.USAGE_LINE,
      ExitCodes.MODULE_DOWN_LINE,
      ExitCodes.DENIED_LINE
    },
    description = "Send IPT_SO_GET_REVISION_MATCH: does the match NAME exist in revision REV?")
public final class RevisionMatchCommand extends RevisionQuery {
  @Parameters(
      index = "0",
      paramLabel = "NAME",
      completionCandidates = ExtensionNames.Matches.class,
      description = "The match's name.")
  private String name;

  public RevisionMatchCommand(Session session) {
    super(session);
  }

  @Override
  Sockopt option() {
    return Sockopt.IPT_SO_GET_REVISION_MATCH;
  }

  @Override
  String kind() {
    return "match";
  }

  @Override
  String name() {
    return name;
  }
}

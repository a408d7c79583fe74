package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.inspect.HexDump;
import bpfilterctl.core.inspect.InfoView;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.IptGetinfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "info",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl get info                # filter: valid_hooks 0x0e INPUT,FORWARD,OUTPUT ...",
      "  bpfilterctl get info -t nat --json | jq .hook_entry",
      "  bpfilterctl get info -t raw --hex",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the table's info was printed",
      "1:the umh refused the call (ENOENT: no such table)",
      ExitCodes.USAGE_LINE,
      ExitCodes.MODULE_DOWN_LINE,
      ExitCodes.DENIED_LINE
    },
    description = {
      "Send IPT_SO_GET_INFO for a table and print the decoded ipt_getinfo.",
      "Shows the name, valid_hooks (mask and hook names), hook_entry and underflow per hook,"
          + " num_entries and size."
    })
public final class GetInfoCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Mixin private TableOption table;
  @Mixin private OutputFormat format;

  private final Session session;
  @Spec private CommandSpec spec;

  public GetInfoCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException, SockoptRefused, AnswerUndecodable {
    OutputFormat.Kind kind = format.kind(spec.commandLine());
    String name = table.table(spec.commandLine());
    byte[] reply =
        new CommandSockopts(session.module())
            .call(Sockopt.IPT_SO_GET_INFO, IptGetinfo.request(name), "table '" + name + "'");
    PrintWriter out = spec.commandLine().getOut();
    switch (kind) {
      case HEX -> out.print(HexDump.of(reply));
      case JSON -> out.println(InfoView.json(Answers.info(reply)));
      case TEXT -> out.print(InfoView.text(Answers.info(reply)));
    }
    return 0;
  }
}

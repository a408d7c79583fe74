package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.inspect.Bits;
import bpfilterctl.core.inspect.EntryView;
import bpfilterctl.core.inspect.HexDump;
import bpfilterctl.core.inspect.InfoView;
import bpfilterctl.core.inspect.TableView;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.LocatedEntry;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "entries",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl get entries -t nat",
      "  bpfilterctl get entries --json | jq '.entries[] | {offset, counters, target}'",
      "  bpfilterctl get entries --hex | less",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the entries were printed",
      "1:the umh refused a call (ENOENT: no such table), or its answer does not decode",
      ExitCodes.USAGE_LINE,
      ExitCodes.MODULE_DOWN_LINE,
      ExitCodes.DENIED_LINE
    },
    description = {
      "Send IPT_SO_GET_INFO then IPT_SO_GET_ENTRIES, and print each entry decoded.",
      "Each entry shows its index and offset, the hooks that start or underflow there, its ip"
          + " part (addresses, masks, interfaces, proto, flags, invflags), counters, matches"
          + " (name, revision, size, data) and target (verdict, jump offset and the entry it"
          + " lands on, ERROR name, or data). This is the structure, not iptables syntax."
    })
public final class GetEntriesCommand implements Callable<Integer> {
  /** Another process may replace the table between the two calls (EAGAIN): ask again. */
  private static final int ATTEMPTS = 3;

  @Mixin private HelpOption helpOption;
  @Mixin private TableOption table;
  @Mixin private OutputFormat format;

  private final Session session;
  @Spec private CommandSpec spec;

  public GetEntriesCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws ModuleException, SockoptRefused, AnswerUndecodable {
    OutputFormat.Kind kind = format.kind(spec.commandLine());
    String name = table.table(spec.commandLine());
    String subject = "table '" + name + "'";
    CommandSockopts calls = new CommandSockopts(session.module());
    IptGetinfo info;
    byte[] reply;
    for (int attempt = 1; ; attempt++) {
      info = Answers.info(calls.call(Sockopt.IPT_SO_GET_INFO, IptGetinfo.request(name), subject));
      try {
        reply =
            calls.call(
                Sockopt.IPT_SO_GET_ENTRIES, IptGetEntries.request(name, info.size()), subject);
        break;
      } catch (SockoptRefused r) {
        if (r.errno() != Errno.EAGAIN.code() || attempt == ATTEMPTS) {
          throw r;
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (kind == OutputFormat.Kind.HEX) {
      out.print(HexDump.of(reply));
      return 0;
    }
    TableView view;
    try {
      view = TableView.decode(info, IptGetEntries.decode(reply).entries());
    } catch (IllegalArgumentException e) {
      throw new AnswerUndecodable("the entries of " + subject, e);
    }
    if (view.entries().size() != info.numEntries()) {
      spec.commandLine()
          .getErr()
          .printf(
              "bpfilterctl: note: GET_INFO said %d entries, GET_ENTRIES holds %d%n",
              info.numEntries(), view.entries().size());
    }
    if (kind == OutputFormat.Kind.JSON) {
      JsonWriter w = new JsonWriter().beginObject().name("info");
      InfoView.write(w, info).name("entries").beginArray();
      for (LocatedEntry e : view.entries()) {
        EntryView.write(w, view, e);
      }
      out.println(w.endArray().endObject());
      return 0;
    }
    out.printf(
        "table %s  valid_hooks %s  num_entries %d  size %d%n",
        info.name(), Bits.joined(Bits.hooks(info.validHooks())), info.numEntries(), info.size());
    for (LocatedEntry e : view.entries()) {
      out.print(EntryView.text(view, e));
    }
    return 0;
  }
}

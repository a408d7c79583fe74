package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.inspect.Bits;
import bpfilterctl.core.inspect.HexDump;
import bpfilterctl.core.iptables.IptablesRestore;
import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtCounters;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "replace",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl set replace filter.blob",
      "  bpfilterctl set replace --save -t nat /etc/iptables/rules.v4",
      "  jq -r 'select(.cmd==\"IPT_SO_SET_REPLACE\").buf' calls.jsonl | bpfilterctl set replace -",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the table was replaced",
      "1:the umh refused the blob (EINVAL, ELOOP, ENOENT, EAGAIN...): the table is unchanged",
      ExitCodes.USAGE_LINE,
      ExitCodes.MODULE_DOWN_LINE,
      ExitCodes.DENIED_LINE
    },
    description = {
      "Send IPT_SO_SET_REPLACE with a raw ipt_replace blob and print what it replaced.",
      "FILE holds the blob (the 96-byte header, then the entries), binary or hex text"
          + " (recognised by itself); - reads stdin. Prints the table, its new entries and the"
          + " old counters the umh returned. A refused blob changes nothing."
    })
public final class SetReplaceCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Mixin private OutputFormat format;

  @Parameters(
      index = "0",
      paramLabel = "FILE",
      description = "The ipt_replace blob, binary or hex text; - for stdin.")
  private String file;

  private final Session session;
  @Spec private CommandSpec spec;

  public SetReplaceCommand(Session session) {
    this.session = session;
  }

  @Option(
      names = "--save",
      description =
          "FILE is iptables-save text: build the blob of one table from it, as"
              + " iptables-restore would (counters included), against the live table.")
  private boolean save;

  @Option(
      names = {"-t", "--table"},
      paramLabel = "TABLE",
      description = "With --save: the table to take (default: the first in FILE).")
  private String table;

  /** Where the blob comes from: a raw blob, or iptables-save text through the front-end. */
  private ReplaceSource source() {
    if (!save) {
      return module -> BlobFile.read(file, session.caller());
    }
    return module -> {
      String text =
          file.equals("-")
              ? new String(session.caller().stdin().readAllBytes(), StandardCharsets.ISO_8859_1)
              : new String(
                  session.caller().readFile(file, Integer.MAX_VALUE - 8, false),
                  StandardCharsets.ISO_8859_1);
      try {
        return IptablesRestore.replaceBlob(session.iptables(), text, table);
      } catch (RuleException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    };
  }

  @Override
  public Integer call() throws IOException, ModuleException, SockoptRefused {
    OutputFormat.Kind kind = format.kind(spec.commandLine());
    CommandSockopts calls = new CommandSockopts(session.module());
    byte[] blob = source().replaceBlob(calls);
    String table =
        blob.length >= Abi.TABLE_NAME_LEN
            ? FixedName.read(Abi.wrap(blob), IptReplace.OFF_NAME, Abi.TABLE_NAME_LEN)
            : "";
    byte[] old = calls.call(Sockopt.IPT_SO_SET_REPLACE, blob, "table '" + table + "'");
    PrintWriter out = spec.commandLine().getOut();
    if (kind == OutputFormat.Kind.HEX) {
      out.print(HexDump.of(old));
      return 0;
    }
    // Accepted, so the header is whole: at least 96 bytes.
    IptReplace r = IptReplace.decode(blob);
    List<XtCounters> counters = XtCounters.decodeAll(old);
    if (kind == OutputFormat.Kind.JSON) {
      JsonWriter w =
          new JsonWriter()
              .beginObject()
              .field("table", r.name())
              .field("num_entries", Integer.toUnsignedLong(r.numEntries()))
              .field("size", Integer.toUnsignedLong(r.size()))
              .field("valid_hooks", Integer.toUnsignedLong(r.validHooks()));
      w.name("hooks").beginArray();
      Bits.hooks(r.validHooks()).forEach(w::value);
      w.endArray().field("num_counters", counters.size()).name("old_counters").beginArray();
      for (XtCounters c : counters) {
        CounterJson.write(w, c);
      }
      out.println(w.endArray().endObject());
      return 0;
    }
    XtCounters total = counters.stream().reduce(XtCounters.ZERO, XtCounters::plus);
    out.printf(
        "replaced table %s: %d entries, %d bytes, hooks %s; %d old counters returned"
            + " (%s packets, %s bytes in all)%n",
        r.name(),
        Integer.toUnsignedLong(r.numEntries()),
        Integer.toUnsignedLong(r.size()),
        Bits.joined(Bits.hooks(r.validHooks())),
        counters.size(),
        Long.toUnsignedString(total.pcnt()),
        Long.toUnsignedString(total.bcnt()));
    return 0;
  }
}

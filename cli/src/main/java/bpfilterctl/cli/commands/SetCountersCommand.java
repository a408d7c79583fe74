package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.Tables;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
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
    name = "counters",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl set counters -t filter --counters 0:10:840 --counters 2:1:60",
      "  bpfilterctl set counters counters.blob",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:the counters were added",
      "1:the umh refused them (EINVAL: not one per entry; ENOENT: no such table): nothing"
          + " changed",
      "2:usage error (an entry index beyond the table)",
      "3:module not loaded, or its umh dead, failed or unresponsive",
      "4:permission denied (the daemon refused this caller)"
    },
    description = {
      "Send IPT_SO_SET_ADD_COUNTERS: add packets and bytes to a table's entry counters.",
      "Either a raw xt_counters_info blob (FILE, binary or hex text; - reads stdin), or one"
          + " built from --counters pairs against the table's current number of entries (read"
          + " with GET_INFO), entries not named adding 0. Entry indexes are those of get"
          + " entries (#0 first)."
    })
public final class SetCountersCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;

  @Option(
      names = {"-t", "--table"},
      paramLabel = "TABLE",
      completionCandidates = Tables.class,
      description = "The table (default: filter; with FILE, the blob's, and -t must agree).")
  private String table;

  @Option(
      names = "--counters",
      paramLabel = "N:PKTS:BYTES",
      description = "Add PKTS packets and BYTES bytes to entry N (repeatable).")
  private List<String> pairs = new ArrayList<>();

  @Option(names = "--json", description = "Print one JSON object with stable keys (README).")
  private boolean json;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "FILE",
      description = "A raw xt_counters_info blob, binary or hex text; - for stdin.")
  private String file;

  private final Session session;
  @Spec private CommandSpec spec;

  public SetCountersCommand(Session session) {
    this.session = session;
  }

  /** One --counters pair: what to add to which entry. */
  record Addition(int index, XtCounters counters) {
    static Addition parse(String pair) {
      String[] p = pair.split(":", -1);
      if (p.length != 3) {
        throw new IllegalArgumentException("'" + pair + "' is not N:PKTS:BYTES");
      }
      try {
        return new Addition(
            Integer.parseInt(p[0]),
            new XtCounters(Long.parseUnsignedLong(p[1]), Long.parseUnsignedLong(p[2])));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + pair + "': " + e.getMessage(), e);
      }
    }
  }

  @Override
  public Integer call() throws IOException, ModuleException, SockoptRefused, AnswerUndecodable {
    if ((file == null) == pairs.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give either FILE or --counters pairs");
    }
    CommandSockopts calls = new CommandSockopts(session.module());
    byte[] value;
    String name;
    if (file != null) {
      value = BlobFile.read(file, session.caller());
      name =
          value.length >= Abi.TABLE_NAME_LEN
              ? FixedName.read(Abi.wrap(value), XtCountersInfo.OFF_NAME, Abi.TABLE_NAME_LEN)
              : "";
      if (table != null && !table.equals(name)) {
        throw new ParameterException(
            spec.commandLine(), "-t " + table + ", but the blob is for table '" + name + "'");
      }
    } else {
      name = table == null ? Tables.DEFAULT : table;
      if (name.isEmpty() || name.length() >= Abi.TABLE_NAME_LEN) {
        throw new ParameterException(spec.commandLine(), "--table: no such table name: " + name);
      }
      List<Addition> additions = new ArrayList<>();
      for (String p : pairs) {
        try {
          additions.add(Addition.parse(p));
        } catch (IllegalArgumentException e) {
          throw new ParameterException(spec.commandLine(), "--counters " + e.getMessage());
        }
      }
      IptGetinfo info =
          Answers.info(
              calls.call(
                  Sockopt.IPT_SO_GET_INFO, IptGetinfo.request(name), "table '" + name + "'"));
      List<XtCounters> counters = new ArrayList<>();
      for (int i = 0; i < info.numEntries(); i++) {
        counters.add(XtCounters.ZERO);
      }
      for (Addition a : additions) {
        if (a.index() < 0 || a.index() >= counters.size()) {
          spec.commandLine()
              .getErr()
              .printf(
                  "bpfilterctl: --counters: table %s has entries #0 to #%d, not #%d%n",
                  name, counters.size() - 1, a.index());
          return ExitCodes.USAGE;
        }
        counters.set(a.index(), counters.get(a.index()).plus(a.counters()));
      }
      value = new XtCountersInfo(name, counters).encode();
    }
    calls.call(Sockopt.IPT_SO_SET_ADD_COUNTERS, value, "table '" + name + "'");
    // Accepted, so the value is a whole xt_counters_info.
    List<XtCounters> sent = XtCountersInfo.decode(value).counters();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      JsonWriter w =
          new JsonWriter()
              .beginObject()
              .field("table", name)
              .field("num_counters", sent.size())
              .name("counters")
              .beginArray();
      for (XtCounters c : sent) {
        CounterJson.write(w, c);
      }
      out.println(w.endArray().endObject());
    } else {
      XtCounters total = sent.stream().reduce(XtCounters.ZERO, XtCounters::plus);
      out.printf(
          "added counters to table %s: %d entries, %s packets and %s bytes in all%n",
          name,
          sent.size(),
          Long.toUnsignedString(total.pcnt()),
          Long.toUnsignedString(total.bcnt()));
    }
    return 0;
  }
}

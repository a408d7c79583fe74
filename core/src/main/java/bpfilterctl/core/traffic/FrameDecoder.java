package bpfilterctl.core.traffic;

import bpfilterctl.core.inspect.HexDump;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.FixedName;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.uapi.XtGetRevision;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Reads the iptables structures in frames: a one-line summary for the traffic pane and the full
 * decode for the detail pane. A GET_ENTRIES reply does not say where the built-in chains are, so
 * the decoder remembers each table's layout from the GET_INFO replies and SET_REPLACE requests it
 * is shown ({@link #observe}); one decoder belongs to one view of one stream.
 */
public final class FrameDecoder {
  /** Counters listed one by one in a detail; the rest are summed up. */
  private static final int COUNTERS_SHOWN = 64;

  private final EntryRenderer renderer;
  private final Map<String, TableLayout> layouts = new HashMap<>();

  public FrameDecoder(EntryRenderer renderer) {
    this.renderer = renderer;
  }

  /** Learns a table's layout from a frame that carries it; cheap for every other frame. */
  public void observe(Frame f) {
    if (f.cmd() != Sockopt.IPT_SO_GET_INFO.cmd()) {
      return; // GET_INFO and SET_REPLACE share cmd 64; the rest are passed at once
    }
    Optional<Sockopt> o = Sockopt.of(f.isSet(), f.cmd());
    if (o.isEmpty() || f.truncated()) {
      return;
    }
    try {
      if (o.get() == Sockopt.IPT_SO_GET_INFO
          && f.direction() == Frame.Direction.REPLY
          && f.status() >= IptGetinfo.SIZE) {
        IptGetinfo i = IptGetinfo.decode(f.payload());
        layouts.put(i.name(), TableLayout.of(i));
      } else if (o.get() == Sockopt.IPT_SO_SET_REPLACE
          && f.direction() == Frame.Direction.REQUEST
          && f.payload().length >= IptReplace.HEADER_SIZE) {
        IptReplace r = IptReplace.decode(f.payload());
        layouts.put(r.name(), TableLayout.of(r));
      }
    } catch (IllegalArgumentException e) {
      // A malformed frame teaches nothing; its own decode says what is wrong with it.
    }
  }

  /**
   * @param request for a reply, the request it answers (the table of a set's reply is there); null
   *     when unknown
   */
  public FrameSummary summarize(Frame f, Frame request) {
    try {
      return f.direction() == Frame.Direction.REQUEST
          ? requestSummary(f)
          : replySummary(f, request);
    } catch (IllegalArgumentException | IllegalStateException e) {
      return new FrameSummary("", "undecodable: " + e.getMessage());
    }
  }

  private FrameSummary requestSummary(Frame f) {
    Optional<Sockopt> o = Sockopt.of(f.isSet(), f.cmd());
    if (o.isEmpty()) {
      return new FrameSummary("", "");
    }
    byte[] p = f.payload();
    return switch (o.get()) {
      case HANDSHAKE -> new FrameSummary("", f.len() == 0 ? "handshake" : "");
      case BPF_SO_GET_TABLE_NAMES -> new FrameSummary("", "table names");
      case BPF_SO_GET_ENFORCEMENT -> new FrameSummary("", "enforcement status");
      case BPF_SO_SET_ENFORCE ->
          new FrameSummary("filter", p.length == 4 && p[0] != 0 ? "enforce on" : "enforce off");
      case BPF_SO_SET_UNLOAD -> new FrameSummary("", "unload: end enforcement");
      case IPT_SO_GET_INFO -> new FrameSummary(tableName(p), "");
      case IPT_SO_GET_ENTRIES -> new FrameSummary(tableName(p), "size " + entriesSize(p) + cut(f));
      case IPT_SO_SET_REPLACE -> {
        IptReplace r = IptReplace.decode(p);
        yield new FrameSummary(
            r.name(),
            r.numEntries() + " entries  " + r.size() + " B  num_ctr " + r.numCounters() + cut(f));
      }
      case IPT_SO_SET_ADD_COUNTERS -> {
        XtCountersInfo c = XtCountersInfo.decode(p);
        yield new FrameSummary(c.name(), c.counters().size() + " counters" + cut(f));
      }
      case IPT_SO_GET_REVISION_MATCH, IPT_SO_GET_REVISION_TARGET -> {
        XtGetRevision r = XtGetRevision.decode(p);
        yield new FrameSummary("", r.name() + " rev " + r.revision());
      }
    };
  }

  private FrameSummary replySummary(Frame f, Frame request) {
    String table = request == null ? "" : summarize(request, null).table();
    if (f.status() < 0) {
      return new FrameSummary(table, "");
    }
    Optional<Sockopt> o = Sockopt.of(f.isSet(), f.cmd());
    if (o.isEmpty()) {
      return new FrameSummary(table, "");
    }
    return switch (o.get()) {
      case IPT_SO_GET_INFO -> {
        if (f.payload().length < IptGetinfo.SIZE) {
          yield new FrameSummary(table, f.status() + " B");
        }
        IptGetinfo i = IptGetinfo.decode(f.payload());
        yield new FrameSummary(
            i.name(),
            "hooks "
                + hookLetters(TableLayout.of(i))
                + "  "
                + i.numEntries()
                + " entries  "
                + i.size()
                + " B");
      }
      case IPT_SO_GET_ENTRIES -> {
        if (f.truncated()) {
          yield new FrameSummary(table, f.payloadLength() + " B" + cut(f));
        }
        IptGetEntries e = IptGetEntries.decode(f.payload());
        yield new FrameSummary(e.name(), e.entryList().size() + " entries  " + e.size() + " B");
      }
      case IPT_SO_SET_REPLACE ->
          new FrameSummary(table, "old counters x" + f.payloadLength() / XtCounters.SIZE);
      default -> new FrameSummary(table, "");
    };
  }

  /**
   * The decoded structure, then a hex dump of the payload: at most {@code hexLines} lines of {@code
   * hexPerLine} bytes.
   */
  public List<String> detail(Frame f, Frame request, int hexLines, int hexPerLine) {
    List<String> out = new ArrayList<>();
    out.add(
        String.format(
            "frame %d  %s %s  id %d  caller %d  umh %d",
            f.seq(),
            f.direction() == Frame.Direction.REQUEST ? "request" : "reply",
            f.optionName(),
            f.id(),
            f.callerPid(),
            f.umhPid()));
    out.add(
        f.direction() == Frame.Direction.REQUEST
            ? String.format("%s  len %d", f.isSet() ? "set" : "get", f.len())
            : String.format(
                "status %d (%s)  len %d  latency %s",
                f.status(), f.statusName(), f.len(), TrafficFormat.micros(f.latencyNanos())));
    if (f.truncated()) {
      out.add(
          "payload cut at "
              + f.payload().length
              + " of "
              + f.payloadLength()
              + " bytes: not decoded");
    } else {
      try {
        out.addAll(structure(f, request));
      } catch (IllegalArgumentException | IllegalStateException e) {
        out.add("undecodable: " + e.getMessage());
      }
    }
    out.add("");
    out.add("payload " + f.payloadLength() + " B");
    out.addAll(HexDump.lines(f.payload(), hexLines, hexPerLine));
    return out;
  }

  private List<String> structure(Frame f, Frame request) {
    Optional<Sockopt> o = Sockopt.of(f.isSet(), f.cmd());
    List<String> out = new ArrayList<>();
    if (o.isEmpty() || (f.direction() == Frame.Direction.REPLY && f.status() < 0)) {
      return out;
    }
    byte[] p = f.payload();
    boolean req = f.direction() == Frame.Direction.REQUEST;
    switch (o.get()) {
      case HANDSHAKE -> out.add(req ? "handshake (cmd 0): the umh must answer 0" : "");
      case BPF_SO_GET_TABLE_NAMES ->
          out.add(
              req
                  ? "table names (ours, /proc/net/ip_tables_names)"
                  : "tables: "
                      + new String(p, java.nio.charset.StandardCharsets.US_ASCII)
                          .replace("\0", "")
                          .strip()
                          .replace('\n', ' '));
      case IPT_SO_GET_INFO -> {
        if (req) {
          out.add("ipt_getinfo in: name " + tableName(p));
        } else if (p.length >= IptGetinfo.SIZE) {
          IptGetinfo i = IptGetinfo.decode(p);
          out.add(
              "ipt_getinfo: name "
                  + i.name()
                  + "  num_entries "
                  + i.numEntries()
                  + "  size "
                  + i.size());
          out.addAll(layoutLines(TableLayout.of(i)));
        }
      }
      case IPT_SO_GET_ENTRIES -> {
        if (req) {
          out.add("ipt_get_entries in: name " + tableName(p) + "  size " + entriesSize(p));
        } else {
          IptGetEntries e = IptGetEntries.decode(p);
          TableLayout layout = layouts.getOrDefault(e.name(), TableLayout.UNKNOWN);
          out.add("ipt_get_entries: name " + e.name() + "  size " + e.size());
          if (!layout.known()) {
            out.add("(no GET_INFO of " + e.name() + " seen: built-in chains unnamed)");
          }
          out.addAll(renderer.render(e.name(), layout, e.entryList()));
        }
      }
      case IPT_SO_SET_REPLACE -> {
        if (req) {
          IptReplace r = IptReplace.decode(p);
          out.add(
              String.format(
                  "ipt_replace: name %s  num_entries %d  size %d  num_counters %d  counters 0x%x",
                  r.name(), r.numEntries(), r.size(), r.numCounters(), r.countersPointer()));
          TableLayout layout = TableLayout.of(r);
          out.addAll(layoutLines(layout));
          out.addAll(renderer.render(r.name(), layout, r.entryList()));
        } else {
          out.add("old counters (" + p.length / XtCounters.SIZE + "), in entry order:");
          out.addAll(counterLines(XtCounters.decodeAll(p)));
        }
      }
      case IPT_SO_SET_ADD_COUNTERS -> {
        if (req) {
          XtCountersInfo c = XtCountersInfo.decode(p);
          out.add("xt_counters_info: name " + c.name() + "  num_counters " + c.counters().size());
          out.addAll(counterLines(c.counters()));
        }
      }
      case IPT_SO_GET_REVISION_MATCH, IPT_SO_GET_REVISION_TARGET -> {
        XtGetRevision r = XtGetRevision.decode(req ? p : request == null ? p : request.payload());
        out.add("xt_get_revision: name " + r.name() + "  revision " + r.revision());
      }
    }
    return out;
  }

  private static List<String> layoutLines(TableLayout l) {
    StringJoiner hooks = new StringJoiner(",");
    StringJoiner entry = new StringJoiner(" ");
    StringJoiner under = new StringJoiner(" ");
    for (Hook h : l.hooks()) {
      hooks.add(h.name());
      entry.add(h.name() + "=" + l.hookEntry(h));
      under.add(h.name() + "=" + l.underflow(h));
    }
    return List.of("valid_hooks " + hooks, "hook_entry  " + entry, "underflow   " + under);
  }

  private static List<String> counterLines(List<XtCounters> counters) {
    List<String> out = new ArrayList<>();
    long p = 0;
    long b = 0;
    for (int i = 0; i < counters.size(); i++) {
      XtCounters c = counters.get(i);
      p += c.pcnt();
      b += c.bcnt();
      if (i < COUNTERS_SHOWN) {
        out.add(String.format("  #%d [%d:%d]", i, c.pcnt(), c.bcnt()));
      }
    }
    if (counters.size() > COUNTERS_SHOWN) {
      out.add("  ... " + (counters.size() - COUNTERS_SHOWN) + " more");
    }
    out.add(String.format("  total [%d:%d]", p, b));
    return out;
  }

  /** I/F/O style: the hooks a table has, by their initials (PRE and POST spelled out). */
  static String hookLetters(TableLayout l) {
    StringJoiner j = new StringJoiner("/");
    for (Hook h : l.hooks()) {
      j.add(
          switch (h) {
            case PREROUTING -> "PRE";
            case INPUT -> "I";
            case FORWARD -> "F";
            case OUTPUT -> "O";
            case POSTROUTING -> "POST";
          });
    }
    return j.toString();
  }

  /** The name that GET_INFO, GET_ENTRIES, SET_REPLACE and ADD_COUNTERS buffers all begin with. */
  private static String tableName(byte[] p) {
    if (p.length < Abi.TABLE_NAME_LEN) {
      throw new IllegalArgumentException(p.length + " bytes: shorter than a table name");
    }
    return FixedName.read(Abi.wrap(p), 0, Abi.TABLE_NAME_LEN);
  }

  /** The size field of a GET_ENTRIES request, which need not match its buffer. */
  private static int entriesSize(byte[] p) {
    if (p.length < IptGetEntries.HEADER_SIZE) {
      throw new IllegalArgumentException(p.length + " bytes: shorter than ipt_get_entries");
    }
    return Abi.wrap(p).getInt(IptGetEntries.OFF_SIZE);
  }

  private static String cut(Frame f) {
    return f.truncated() ? "  (cut)" : "";
  }
}

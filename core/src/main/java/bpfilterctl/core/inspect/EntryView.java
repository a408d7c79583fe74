package bpfilterctl.core.inspect;

import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.Ipv4;
import bpfilterctl.core.uapi.LocatedEntry;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalInt;

/**
 * One entry of a {@link TableView}, structurally: where it is, which hooks start or underflow
 * there, its ipt_ip, counters, matches (name, revision, size, data) and target (a verdict, a jump
 * with the entry it lands on, an ERROR's chain name, or an extension's data). JSON keys are listed
 * in the README ("get entries --json").
 */
public final class EntryView {
  private static final HexFormat HEX = HexFormat.of();

  private EntryView() {}

  /** The entry as an indented block of lines, the first naming it by index and offset. */
  public static String text(TableView table, LocatedEntry le) {
    IptEntry e = le.entry();
    IptIp ip = e.ip();
    StringBuilder b = new StringBuilder();
    b.append(String.format("#%d @%d", le.index(), le.offset()));
    List<String> entered = table.hookEntriesAt(le.offset());
    List<String> under = table.underflowsAt(le.offset());
    if (!entered.isEmpty()) {
      b.append("  hook_entry ").append(String.join(",", entered));
    }
    if (!under.isEmpty()) {
      b.append("  underflow ").append(String.join(",", under));
    }
    b.append(String.format("%n"));
    b.append(
        String.format(
            "  ip        src %s/%s  dst %s/%s  in %s  out %s  proto %d  flags %s  invflags %s%n",
            Ipv4.dotted(ip.src()),
            Ipv4.dotted(ip.smsk()),
            Ipv4.dotted(ip.dst()),
            Ipv4.dotted(ip.dmsk()),
            iface(ip.iniface(), ip.inifaceMask()),
            iface(ip.outiface(), ip.outifaceMask()),
            ip.proto(),
            Bits.joined(Bits.ipFlags(ip.flags())),
            Bits.joined(Bits.invFlags(ip.invflags()))));
    b.append(
        String.format(
            "  offsets   target_offset %d  next_offset %d  nfcache 0x%x  comefrom 0x%x (%s)%n",
            le.targetOffset(),
            le.nextOffset(),
            e.nfcache(),
            e.comefrom(),
            Bits.joined(Bits.hooks(e.comefrom()))));
    b.append(
        String.format(
            "  counters  %s packets  %s bytes%n",
            Long.toUnsignedString(e.counters().pcnt()),
            Long.toUnsignedString(e.counters().bcnt())));
    for (XtEntryMatch m : e.matches()) {
      b.append(
          String.format(
              "  match     %s  rev %d  size %d  data %s%n",
              m.name(), m.revision(), m.size(), HEX.formatHex(m.data())));
    }
    b.append(String.format("  target    %s%n", target(table, le)));
    return b.toString();
  }

  private static String target(TableView table, LocatedEntry le) {
    XtEntryTarget t = le.entry().target();
    if (t.isStandard() && t.data().length >= 4) {
      int v = t.verdict();
      String what;
      if (Verdict.isJump(v)) {
        boolean isGoto = (le.entry().ip().flags() & Bits.IPT_F_GOTO) != 0;
        OptionalInt at = table.indexAt(v);
        what =
            (isGoto ? "goto @" : "jump @")
                + v
                + (at.isPresent() ? " (#" + at.getAsInt() + ")" : " (no entry starts there)");
      } else {
        what = "verdict " + verdictName(v);
      }
      return String.format("standard  size %d  %s", t.size(), what);
    }
    if (t.isError()) {
      return String.format(
          "ERROR  rev %d  size %d  error_name %s", t.revision(), t.size(), t.errorName());
    }
    return String.format(
        "%s  rev %d  size %d  data %s",
        t.name().isEmpty() ? "standard" : t.name(),
        t.revision(),
        t.size(),
        HEX.formatHex(t.data()));
  }

  /** The netfilter name of a negative standard verdict: ACCEPT, DROP, QUEUE, RETURN. */
  public static String verdictName(int v) {
    return switch (v) {
      case Verdict.ACCEPT -> "ACCEPT";
      case Verdict.DROP -> "DROP";
      case Verdict.QUEUE -> "QUEUE";
      case Verdict.RETURN -> "RETURN";
      case -3 -> "STOLEN";
      default -> v >= 0 ? "JUMP" : "VERDICT" + v;
    };
  }

  public static String json(TableView table, LocatedEntry le) {
    return write(new JsonWriter(), table, le).toString();
  }

  public static JsonWriter write(JsonWriter w, TableView table, LocatedEntry le) {
    IptEntry e = le.entry();
    IptIp ip = e.ip();
    w.beginObject().field("index", le.index()).field("offset", le.offset());
    strings(w.name("hook_entry"), table.hookEntriesAt(le.offset()));
    strings(w.name("underflow"), table.underflowsAt(le.offset()));
    w.name("ip")
        .beginObject()
        .field("src", Ipv4.dotted(ip.src()))
        .field("smsk", Ipv4.dotted(ip.smsk()))
        .field("dst", Ipv4.dotted(ip.dst()))
        .field("dmsk", Ipv4.dotted(ip.dmsk()))
        .field("iniface", ip.iniface())
        .field("iniface_mask", HEX.formatHex(ip.inifaceMask()))
        .field("outiface", ip.outiface())
        .field("outiface_mask", HEX.formatHex(ip.outifaceMask()))
        .field("proto", ip.proto())
        .field("flags", ip.flags());
    strings(w.name("flag_names"), Bits.ipFlags(ip.flags()));
    w.field("invflags", ip.invflags());
    strings(w.name("invflag_names"), Bits.invFlags(ip.invflags()));
    w.endObject();
    w.field("nfcache", Integer.toUnsignedLong(e.nfcache()))
        .field("comefrom", Integer.toUnsignedLong(e.comefrom()))
        .field("target_offset", le.targetOffset())
        .field("next_offset", le.nextOffset());
    w.name("counters")
        .beginObject()
        .fieldUnsigned("packets", e.counters().pcnt())
        .fieldUnsigned("bytes", e.counters().bcnt())
        .endObject();
    w.name("matches").beginArray();
    for (XtEntryMatch m : e.matches()) {
      w.beginObject()
          .field("name", m.name())
          .field("revision", m.revision())
          .field("size", m.size())
          .field("data", HEX.formatHex(m.data()))
          .endObject();
    }
    w.endArray();
    XtEntryTarget t = e.target();
    w.name("target")
        .beginObject()
        .field("name", t.name())
        .field("revision", t.revision())
        .field("size", t.size());
    boolean standard = t.isStandard() && t.data().length >= 4;
    Integer v = standard ? t.verdict() : null;
    boolean jump = v != null && Verdict.isJump(v);
    OptionalInt at = jump ? table.indexAt(v) : OptionalInt.empty();
    w.field("kind", standard ? "standard" : t.isError() ? "error" : "extension");
    w.name("verdict").value(v == null ? null : verdictName(v));
    nullable(w.name("verdict_code"), v);
    nullable(w.name("jump_offset"), jump ? v : null);
    nullable(w.name("jump_index"), at.isPresent() ? at.getAsInt() : null);
    w.field("goto", jump && (ip.flags() & Bits.IPT_F_GOTO) != 0);
    w.name("error_name").value(t.isError() ? t.errorName() : null);
    return w.field("data", HEX.formatHex(t.data())).endObject().endObject();
  }

  private static void nullable(JsonWriter w, Integer v) {
    if (v == null) {
      w.nullValue();
    } else {
      w.value(v);
    }
  }

  private static void strings(JsonWriter w, List<String> values) {
    w.beginArray();
    values.forEach(w::value);
    w.endArray();
  }

  /** "*" for no interface, else the name and its mask (hex, trailing zero bytes dropped). */
  static String iface(String name, byte[] mask) {
    int n = mask.length;
    while (n > 0 && mask[n - 1] == 0) {
      n--;
    }
    if (name.isEmpty() && n == 0) {
      return "*";
    }
    return name + "/" + HEX.formatHex(mask, 0, n);
  }
}

package bpfilterctl.core.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.LocatedEntry;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Entries beyond a fresh table's: a match, interfaces, inversions, a jump, a goto, a chain. */
class EntryViewTest {
  /** filter: INPUT [-i eth+ ! -s 10.0.0.0/8 -p tcp -m tcp -j mychain; -g mychain; policy], ... */
  static TableView table() {
    byte[] ethPlus = new byte[16];
    Arrays.fill(ethPlus, 0, 3, (byte) 0xff);
    IptIp ip =
        IptIp.ANY
            .withSource(0x0a000000, 0xff000000)
            .withInIface("eth", ethPlus)
            .withProto(6)
            .withFlags(0, 0x08);
    IptIp gotoIp = IptIp.ANY.withFlags(Bits.IPT_F_GOTO, 0);
    XtEntryMatch tcp = XtEntryMatch.of("tcp", 0, new byte[] {0, 0, (byte) 0xff, (byte) 0xff});
    // Offsets: 0 rule (112+40+40=192), 192 goto (152), 344 policy (152), 496 FORWARD, 648
    // OUTPUT, 800 chain head (176), 976 RETURN (152), 1128 end.
    List<IptEntry> e =
        List.of(
            IptEntry.of(ip, List.of(tcp), XtEntryTarget.standard(800)),
            IptEntry.of(gotoIp, List.of(), XtEntryTarget.standard(800)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.DROP)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("mychain")),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.RETURN)),
            IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("ERROR")));
    int[] at = IptEntries.offsets(e);
    IptGetinfo info =
        new IptGetinfo(
            "filter",
            0x0e,
            new int[] {-1, at[0], at[3], at[4], -1},
            new int[] {-1, at[2], at[3], at[4], -1},
            e.size(),
            IptEntries.size(e));
    return TableView.decode(info, IptEntries.encode(e));
  }

  @Test
  void textShowsWhereEachEntryIsAndWhatItDoes() {
    TableView t = table();
    assertThat(t.entries())
        .extracting(LocatedEntry::offset)
        .containsExactly(0, 192, 344, 496, 648, 800, 976, 1128);
    String rule = EntryView.text(t, t.entries().get(0));
    assertThat(rule)
        .startsWith("#0 @0  hook_entry INPUT\n")
        .contains("src 10.0.0.0/255.0.0.0  dst 0.0.0.0/0.0.0.0  in eth/ffffff  out *  proto 6")
        .contains("invflags SRCIP\n")
        .contains("target_offset 152  next_offset 192")
        .contains("  match     tcp  rev 0  size 40  data 0000ffff00000000\n")
        .contains("  target    standard  size 40  jump @800 (#5)\n");
    assertThat(EntryView.text(t, t.entries().get(1)))
        .contains("flags GOTO")
        .contains("goto @800 (#5)");
    assertThat(EntryView.text(t, t.entries().get(2))).startsWith("#2 @344  underflow INPUT\n");
    assertThat(EntryView.text(t, t.entries().get(3)))
        .startsWith("#3 @496  hook_entry FORWARD  underflow FORWARD\n")
        .contains("verdict DROP");
    assertThat(EntryView.text(t, t.entries().get(5)))
        .contains("ERROR  rev 0  size 64  error_name mychain");
    assertThat(EntryView.text(t, t.entries().get(6))).contains("verdict RETURN");
  }

  @SuppressWarnings("unchecked")
  @Test
  void jsonGivesEveryTargetKeyNullWhenItDoesNotApply() {
    TableView t = table();
    Map<String, Object> rule = JsonReader.parseObject(EntryView.json(t, t.entries().get(0)));
    Map<String, Object> ip = (Map<String, Object>) rule.get("ip");
    assertThat(ip.get("iniface")).isEqualTo("eth");
    assertThat(ip.get("iniface_mask")).isEqualTo("ffffff" + "00".repeat(13));
    assertThat((List<Object>) ip.get("invflag_names")).containsExactly("SRCIP");
    Map<String, Object> m = ((List<Map<String, Object>>) rule.get("matches")).get(0);
    assertThat(m).containsEntry("name", "tcp").containsEntry("size", 40L);
    Map<String, Object> target = (Map<String, Object>) rule.get("target");
    assertThat(target)
        .containsEntry("verdict", "JUMP")
        .containsEntry("jump_offset", 800L)
        .containsEntry("jump_index", 5L)
        .containsEntry("goto", false)
        .containsEntry("error_name", null);
    Map<String, Object> head =
        (Map<String, Object>)
            JsonReader.parseObject(EntryView.json(t, t.entries().get(5))).get("target");
    assertThat(head.keySet())
        .containsExactly(
            "name",
            "revision",
            "size",
            "kind",
            "verdict",
            "verdict_code",
            "jump_offset",
            "jump_index",
            "goto",
            "error_name",
            "data");
    assertThat(head).containsEntry("kind", "error").containsEntry("verdict", null);
    assertThat(head).containsEntry("error_name", "mychain");
  }

  @Test
  void aBlobThatDoesNotDecodeSaysWhere() {
    byte[] blob =
        IptEntries.encode(
            List.of(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT))));
    byte[] cut = Arrays.copyOf(blob, blob.length - 8);
    assertThatThrownBy(() -> LocatedEntry.decodeAll(cut))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry #0 at 0: next_offset 152");
  }

  @Test
  void bitsAndErrnosHaveNames() {
    assertThat(Bits.hooks(0x1f))
        .containsExactly("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING");
    assertThat(Bits.hooks(0x21)).containsExactly("PREROUTING", "0x20");
    assertThat(Bits.invFlags(0x41)).containsExactly("VIA_IN", "PROTO");
    assertThat(ErrnoText.describe(Sockopt.IPT_SO_SET_REPLACE, 40))
        .isEqualTo("ELOOP (Too many levels of symbolic links: the chains jump in a loop)");
    assertThat(ErrnoText.describe(Sockopt.IPT_SO_GET_INFO, 5))
        .isEqualTo("EIO (Input/output error)");
    assertThat(ErrnoText.describe(Sockopt.IPT_SO_GET_INFO, 200))
        .isEqualTo("E200 (Unknown error 200)");
  }

  @Test
  void hexDumpOfAPartialLine() {
    assertThat(HexDump.of(new byte[] {'a', 0, 'b'}))
        .isEqualTo("00000000  61 00 62" + " ".repeat(3 * 13 + 1) + "  |a.b|\n00000003\n");
    assertThat(HexDump.of(new byte[0])).isEmpty();
  }
}

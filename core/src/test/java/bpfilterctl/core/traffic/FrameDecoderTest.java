package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtCounters;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
  private final FrameDecoder d = new FrameDecoder(new StructuralEntryRenderer());
  private final IptReplace table = TrafficFixtures.filter(4);

  @Test
  void summarisesEachOptionByItsStructure() {
    Frame info = TrafficFixtures.request(1, 1, false, 64, IptGetinfo.request("filter"));
    assertThat(d.summarize(info, null)).isEqualTo(new FrameSummary("filter", ""));
    IptGetinfo out =
        new IptGetinfo(
            "filter", table.validHooks(), table.hookEntry(), table.underflow(), 9, table.size());
    Frame infoReply = TrafficFixtures.reply(2, info, 84, out.encode(), 14_000);
    assertThat(d.summarize(infoReply, info).text())
        .isEqualTo("hooks I/F/O  9 entries  " + table.size() + " B");

    Frame replace = TrafficFixtures.request(3, 2, true, 64, table.encode());
    assertThat(d.summarize(replace, null))
        .isEqualTo(new FrameSummary("filter", "9 entries  " + table.size() + " B  num_ctr 4"));
    Frame replaced = TrafficFixtures.reply(4, replace, 64, new byte[64], 90_000);
    assertThat(d.summarize(replaced, replace))
        .isEqualTo(new FrameSummary("filter", "old counters x4"));

    Frame bad = TrafficFixtures.reply(5, replace, Errno.ELOOP.status(), new byte[0], 1);
    assertThat(d.summarize(bad, replace)).isEqualTo(new FrameSummary("filter", ""));
    assertThat(bad.statusName()).isEqualTo("ELOOP");

    Frame garbage = TrafficFixtures.request(6, 3, true, 64, new byte[10]);
    assertThat(d.summarize(garbage, null).text()).startsWith("undecodable: ipt_replace needs 96");
  }

  @Test
  void aGetEntriesReplyIsPrintedWithTheLayoutItsGetInfoTaught() {
    IptGetinfo out =
        new IptGetinfo(
            "filter", table.validHooks(), table.hookEntry(), table.underflow(), 9, table.size());
    Frame info = TrafficFixtures.request(1, 1, false, 64, IptGetinfo.request("filter"));
    Frame infoReply = TrafficFixtures.reply(2, info, 84, out.encode(), 1);
    byte[] got = new IptGetEntries("filter", table.entries()).encode();
    Frame entries = TrafficFixtures.request(3, 2, false, 65, new byte[got.length]);
    Frame entriesReply = TrafficFixtures.reply(4, entries, got.length, got, 1);

    assertThat(d.detail(entriesReply, entries, 4, 16))
        .contains("(no GET_INFO of filter seen: built-in chains unnamed)");
    d.observe(info);
    d.observe(infoReply);
    List<String> detail = d.detail(entriesReply, entries, 4, 16);
    assertThat(detail)
        .contains(
            "ipt_get_entries: name filter  size " + table.size(),
            ":FORWARD DROP [0:0]",
            "[0:0] -A INPUT -j mychain")
        .doesNotContain("(no GET_INFO of filter seen: built-in chains unnamed)");
    assertThat(detail.get(detail.size() - 6)).isEqualTo("payload " + got.length + " B");
    assertThat(detail.get(detail.size() - 5))
        .startsWith("0000  66 69 6c 74 65 72 00 00  00 00 00 00 00 00 00 00  |filter..........|");
    assertThat(detail.get(detail.size() - 1)).isEqualTo("... " + (got.length - 64) + " more bytes");
  }

  @Test
  void aReplaceDetailHasItsHeaderLayoutRulesAndTheOldCountersOfItsReply() {
    Frame replace = TrafficFixtures.request(1, 1, true, 64, table.encode());
    assertThat(d.detail(replace, null, 100, 16))
        .contains(
            "ipt_replace: name filter  num_entries 9  size "
                + table.size()
                + "  num_counters 4  counters 0x0",
            "valid_hooks INPUT,FORWARD,OUTPUT",
            "[0:0] -A INPUT -s 10.0.0.0/8 -i eth+ -p tcp -m tcp[48] -j ACCEPT");
    byte[] old = XtCounters.encodeAll(List.of(new XtCounters(3, 300), new XtCounters(1, 60)));
    Frame reply = TrafficFixtures.reply(2, replace, old.length, old, 1);
    assertThat(d.detail(reply, replace, 100, 16))
        .contains("old counters (2), in entry order:", "  #0 [3:300]", "  total [4:360]");
  }

  @Test
  void aCutPayloadIsSaidSoNotMisread() {
    byte[] full = table.encode();
    Frame cut =
        Frame.builder()
            .seq(1)
            .direction(Frame.Direction.REQUEST)
            .id(1)
            .umhPid(1)
            .callerPid(1)
            .option(true, 64)
            .len(full.length)
            .payload(java.util.Arrays.copyOf(full, 100))
            .payloadLength(full.length)
            .build();
    assertThat(d.detail(cut, null, 1, 16))
        .contains("payload cut at 100 of " + full.length + " bytes: not decoded");
  }
}

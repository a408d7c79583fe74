package bpfilterctl.core.umh.tables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import bpfilterctl.core.uapi.XtGetRevision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The engine's behaviour through the ABI records, as the front-end will drive it. */
class TableEngineTest {
  private final TableEngine engine = new TableEngine(ExtensionRegistry.kernel());

  private MboxReply get(int cmd, byte[] in) {
    return engine.handle(new MboxRequest(1, false, cmd, 1, in));
  }

  private MboxReply set(int cmd, byte[] in) {
    return engine.handle(new MboxRequest(1, true, cmd, 1, in));
  }

  private IptGetinfo info(String table) {
    MboxReply r = get(64, IptGetinfo.request(table));
    assertThat(r.describeStatus()).isEqualTo("ok");
    return IptGetinfo.decode(r.payload());
  }

  private List<IptEntry> entries(String table) {
    IptGetinfo i = info(table);
    MboxReply r = get(65, IptGetEntries.request(table, i.size()));
    assertThat(r.describeStatus()).isEqualTo("ok");
    return IptGetEntries.decode(r.payload()).entryList();
  }

  @ParameterizedTest
  @CsvSource({"filter,14,4", "nat,27,5", "mangle,31,6", "raw,9,3", "security,14,4"})
  void freshTablesHaveAnAcceptPolicyPerHookAndAnErrorEntry(String table, int hooks, int n) {
    IptGetinfo i = info(table);
    assertThat(i.validHooks()).isEqualTo(hooks);
    assertThat(i.numEntries()).isEqualTo(n);
    List<IptEntry> e = entries(table);
    assertThat(e).hasSize(n);
    assertThat(e.get(n - 1).target().errorName()).isEqualTo("ERROR");
    assertThat(e.get(0).target().verdict()).isEqualTo(Verdict.ACCEPT);
  }

  @Test
  void unknownTablesAndOptions() {
    assertThat(get(64, IptGetinfo.request("nosuch")).describeStatus()).isEqualTo("ENOENT");
    assertThat(get(64, new byte[83]).describeStatus()).isEqualTo("EINVAL");
    assertThat(get(68, new byte[8]).describeStatus()).isEqualTo("ENOPROTOOPT");
    assertThat(set(66, new byte[8]).describeStatus()).isEqualTo("ENOPROTOOPT");
  }

  @Test
  void getEntriesChecksLenThenSize() {
    int size = info("filter").size();
    assertThat(get(65, new byte[39]).describeStatus()).isEqualTo("EINVAL");
    byte[] wrongLen = java.util.Arrays.copyOf(IptGetEntries.request("filter", size), 41 + size);
    assertThat(get(65, wrongLen).describeStatus()).isEqualTo("EINVAL");
    assertThat(get(65, IptGetEntries.request("filter", size + 8)).describeStatus())
        .isEqualTo("EAGAIN");
  }

  @Test
  void revisionsAnswerZeroAndLeaveTheBufferAlone() {
    byte[] tcp = new XtGetRevision("tcp", 0).encode();
    MboxReply ok = get(66, tcp);
    assertThat(ok.payload()).isEqualTo(tcp);
    assertThat(get(66, new XtGetRevision("tcp", 9).encode()).describeStatus())
        .isEqualTo("EPROTONOSUPPORT");
    assertThat(get(67, new XtGetRevision("NOSUCH", 0).encode()).describeStatus())
        .isEqualTo("ENOENT");
    assertThat(get(66, new byte[31]).describeStatus()).isEqualTo("EINVAL");
  }

  /** filter with one rule in INPUT (-p tcp -m tcp --dport 22 -j ACCEPT) and a user chain. */
  static IptReplace filterWithRule(int numCounters, int jumpTo) {
    byte[] tcpData = new byte[12]; // xt_tcp: spts[2], dpts[2], option, flg_mask, flg_cmp, invflags
    java.nio.ByteBuffer d = bpfilterctl.core.uapi.Abi.wrap(tcpData);
    d.putShort(0, (short) 0).putShort(2, (short) 0xffff);
    d.putShort(4, (short) 22).putShort(6, (short) 22);
    IptIp tcp = IptIp.ANY.withProto(6);
    List<IptEntry> e = new ArrayList<>();
    e.add(
        IptEntry.of(
            tcp,
            List.of(XtEntryMatch.of("tcp", 0, tcpData)),
            XtEntryTarget.standard(Verdict.ACCEPT)));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT))); // INPUT
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.DROP))); // FORWARD
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(jumpTo))); // OUTPUT rule
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT))); // OUTPUT
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("mychain"))); // user chain
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.RETURN)));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("ERROR")));
    int[] off = IptEntries.offsets(e);
    int[] hookEntry = {-1, off[0], off[2], off[3], -1};
    int[] underflow = {-1, off[1], off[2], off[4], -1};
    int valid = Hook.INPUT.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit();
    return IptReplace.of("filter", valid, hookEntry, underflow, numCounters, e);
  }

  static int userChainOffset() {
    return IptEntries.offsets(filterWithRule(4, 0).entryList())[5];
  }

  @Test
  void replaceReturnsTheOldCountersAndAddCountersReallyAdds() {
    IptReplace first = filterWithRule(4, userChainOffset());
    MboxReply r = set(64, first.encode());
    assertThat(r.describeStatus()).isEqualTo("ok");
    assertThat(r.payload()).hasSize(4 * XtCounters.SIZE).containsOnly(0);

    List<XtCounters> add = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      add.add(new XtCounters(i, 100L * i));
    }
    assertThat(set(65, new XtCountersInfo("filter", add).encode()).describeStatus())
        .isEqualTo("ok");
    assertThat(set(65, new XtCountersInfo("filter", add).encode()).describeStatus())
        .isEqualTo("ok");
    List<IptEntry> now = entries("filter");
    assertThat(now.get(3).counters()).isEqualTo(new XtCounters(6, 600));
    // comefrom: the kernel's mark of the hooks each entry is reachable from.
    assertThat(now.get(0).comefrom()).isEqualTo(Hook.INPUT.bit());
    assertThat(now.get(6).comefrom()).isEqualTo(Hook.OUTPUT.bit());
    assertThat(now.get(7).comefrom()).isZero();

    MboxReply again = set(64, filterWithRule(8, userChainOffset()).encode());
    assertThat(XtCounters.decodeAll(again.payload()))
        .containsExactlyElementsOf(
            add.stream().map(c -> new XtCounters(2 * c.pcnt(), 2 * c.bcnt())).toList());
    assertThat(entries("filter").get(3).counters()).isEqualTo(XtCounters.ZERO);
  }

  @Test
  void addCountersChecksLengthThenTableThenCount() {
    List<XtCounters> four =
        List.of(XtCounters.ZERO, XtCounters.ZERO, XtCounters.ZERO, XtCounters.ZERO);
    byte[] ok = new XtCountersInfo("filter", four).encode();
    assertThat(set(65, ok).describeStatus()).isEqualTo("ok");
    assertThat(set(65, java.util.Arrays.copyOf(ok, ok.length - 1)).describeStatus())
        .isEqualTo("EINVAL");
    assertThat(set(65, new XtCountersInfo("nosuch", four).encode()).describeStatus())
        .isEqualTo("ENOENT");
    assertThat(set(65, new XtCountersInfo("filter", four.subList(0, 3)).encode()).describeStatus())
        .isEqualTo("EINVAL");
  }

  @Test
  void aRejectedReplaceChangesNothing() {
    List<IptEntry> before = entries("filter");
    int loopBack = IptEntries.offsets(filterWithRule(4, 0).entryList())[3]; // OUTPUT jumps to self
    assertThat(set(64, filterWithRule(4, loopBack).encode()).describeStatus()).isEqualTo("ELOOP");
    assertThat(set(64, filterWithRule(4, 4).encode()).describeStatus()).isEqualTo("ELOOP");
    assertThat(set(64, filterWithRule(3, userChainOffset()).encode()).describeStatus())
        .isEqualTo("EAGAIN");
    assertThat(entries("filter")).isEqualTo(before);
  }
}

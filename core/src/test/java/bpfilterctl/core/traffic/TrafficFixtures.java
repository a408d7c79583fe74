package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Tables and frames for the traffic tests. */
final class TrafficFixtures {
  private TrafficFixtures() {}

  /**
   * filter: INPUT has {@code -s 10.0.0.0/8 -i eth+ -p tcp -m tcp -j ACCEPT} and a jump to mychain;
   * policies ACCEPT, DROP, ACCEPT; mychain has one DROP rule.
   */
  static IptReplace filter(int numCounters) {
    byte[] tcpData = new byte[12];
    ByteBuffer d = Abi.wrap(tcpData);
    d.putShort(0, (short) 0).putShort(2, (short) 0xffff).putShort(4, (short) 22);
    d.putShort(6, (short) 22);
    byte[] ethMask = new byte[16];
    for (int i = 0; i < 3; i++) {
      ethMask[i] = (byte) 0xff;
    }
    IptIp tcp =
        IptIp.ANY.withSource(0x0a000000, 0xff000000).withInIface("eth", ethMask).withProto(6);
    List<IptEntry> e = new ArrayList<>();
    e.add(
        IptEntry.of(
            tcp,
            List.of(XtEntryMatch.of("tcp", 0, tcpData)),
            XtEntryTarget.standard(Verdict.ACCEPT)));
    e.add(null); // the jump, once mychain's offset is known
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT))); // INPUT
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.DROP))); // FORWARD
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.ACCEPT))); // OUTPUT
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("mychain")));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.DROP)));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.RETURN)));
    e.add(IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.error("ERROR")));
    e.set(1, IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(0)));
    int[] off = IptEntries.offsets(e);
    e.set(1, IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(off[6])));
    int[] hookEntry = {0, off[0], off[3], off[4], 0};
    int[] underflow = {0, off[2], off[3], off[4], 0};
    int valid = Hook.INPUT.bit() | Hook.FORWARD.bit() | Hook.OUTPUT.bit();
    return IptReplace.of("filter", valid, hookEntry, underflow, numCounters, e);
  }

  static Frame request(long seq, long id, boolean set, int cmd, byte[] payload) {
    return Frame.builder()
        .seq(seq)
        .epochMillis(1_700_000_000_000L)
        .direction(Frame.Direction.REQUEST)
        .id(id)
        .umhPid(42)
        .callerPid(4242)
        .option(set, cmd)
        .len(payload.length)
        .payload(payload)
        .build();
  }

  static Frame reply(long seq, Frame req, int status, byte[] payload, long latency) {
    return Frame.builder()
        .seq(seq)
        .epochMillis(1_700_000_000_001L)
        .direction(Frame.Direction.REPLY)
        .id(req.id())
        .umhPid(42)
        .callerPid(req.callerPid())
        .option(req.isSet(), req.cmd())
        .len(req.len())
        .status(status)
        .payload(payload)
        .latencyNanos(latency)
        .build();
  }
}

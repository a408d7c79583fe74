package bpfilterctl.core.uapi;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every structure iptables-legacy and the kernel exchanged decodes and re-encodes byte for byte.
 */
class AbiRoundTripTest {
  @TestFactory
  Stream<DynamicTest> recordedBuffersRoundTrip() {
    Optional<Path> conformance = Fixtures.conformance();
    Require.that(conformance.isPresent(), "no shared/conformance directory beside the project");
    List<DynamicTest> tests = new ArrayList<>();
    for (Fixtures.Scenario s : Fixtures.scenarios(conformance.get())) {
      int n = 0;
      for (Fixtures.Call c : s.calls()) {
        n++;
        if (c.buf() == null || c.rc() != 0) {
          continue;
        }
        String name = s.name() + " #" + n + " " + (c.isSet() ? "set " : "get ") + c.cmd();
        byte[] buf = c.buf();
        if (c.isSet() && c.cmd() == 64) {
          tests.add(
              DynamicTest.dynamicTest(
                  name,
                  () -> {
                    // iptables leaves malloc garbage after the NUL of names: compare meaning.
                    IptReplace r = IptReplace.decode(buf);
                    assertThat(r.encode()).hasSize(buf.length);
                    assertThat(IptReplace.decode(r.encode())).isEqualTo(r);
                    assertThat(IptEntries.decode(IptEntries.encode(r.entryList())))
                        .isEqualTo(r.entryList());
                    IptReplace rebuilt =
                        IptReplace.of(
                            r.name(),
                            r.validHooks(),
                            r.hookEntry(),
                            r.underflow(),
                            r.numCounters(),
                            r.entryList());
                    assertThat(rebuilt.entryList()).isEqualTo(r.entryList());
                    assertThat(rebuilt.numEntries()).isEqualTo(r.numEntries());
                  }));
        } else if (c.isSet() && c.cmd() == 65) {
          tests.add(
              DynamicTest.dynamicTest(
                  name, () -> assertThat(XtCountersInfo.decode(buf).encode()).isEqualTo(buf)));
        } else if (!c.isSet() && c.cmd() == 64) {
          tests.add(
              DynamicTest.dynamicTest(
                  name, () -> assertThat(IptGetinfo.decode(buf).encode()).isEqualTo(buf)));
        } else if (!c.isSet() && c.cmd() == 65) {
          tests.add(
              DynamicTest.dynamicTest(
                  name,
                  () -> {
                    IptGetEntries g = IptGetEntries.decode(buf);
                    // Bytes the kernel never writes keep the caller's garbage: compare meaning.
                    assertThat(IptEntries.encode(g.entryList())).hasSize(g.size());
                    assertThat(IptEntries.decode(IptEntries.encode(g.entryList())))
                        .isEqualTo(g.entryList());
                    assertThat(g.encode()).hasSize(buf.length);
                  }));
        } else {
          tests.add(
              DynamicTest.dynamicTest(
                  name, () -> assertThat(XtGetRevision.decode(buf).encode()).isEqualTo(buf)));
        }
      }
    }
    return tests.stream();
  }

  @Test
  void standardAndErrorTargetsHaveTheKernelSizes() {
    assertThat(XtEntryTarget.standard(Verdict.ACCEPT).size()).isEqualTo(40);
    assertThat(XtEntryTarget.standard(Verdict.ACCEPT).verdict()).isEqualTo(-2);
    assertThat(XtEntryTarget.error("ERROR").size()).isEqualTo(64);
    assertThat(XtEntryTarget.error("my-chain").errorName()).isEqualTo("my-chain");
    assertThat(Verdict.RETURN).isEqualTo(-5);
    assertThat(Verdict.DROP).isEqualTo(-1);
    IptEntry policy = IptEntry.of(IptIp.ANY, List.of(), XtEntryTarget.standard(Verdict.DROP));
    assertThat(policy.nextOffset()).isEqualTo(152);
    assertThat(IptEntries.offsets(List.of(policy, policy))).containsExactly(0, 152);
  }

  @Test
  void addressesAreHostOrderInTheRecordAndNetworkOrderOnTheWire() {
    IptIp ip =
        IptIp.ANY.withSource(0x0a000001, 0xffffffff).withInIface("eth0", new byte[16]).withProto(6);
    java.nio.ByteBuffer b = Abi.allocate(IptIp.SIZE);
    ip.encode(b, 0);
    assertThat(b.get(0)).isEqualTo((byte) 10);
    assertThat(b.get(3)).isEqualTo((byte) 1);
    assertThat(IptIp.decode(b, 0)).isEqualTo(ip);
  }
}

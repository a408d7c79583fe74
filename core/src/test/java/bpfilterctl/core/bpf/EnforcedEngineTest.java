package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.IptablesSave;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The umh's table engine with enforcement, in a test-made namespace, driven by the project's
 * iptables: packets obey the filter table iptables shows, counters show the traffic, a replace
 * keeps them, and a table that cannot be compiled is refused as a kernel without the module would.
 */
@Timeout(120)
class EnforcedEngineTest {
  @Test
  void iptablesCommandsAreEnforcedAndCounted() throws Exception {
    FilterBed.assumeBpf();
    try (TestNetns ns = TestNetns.create();
        Enforcer enforcer = Enforcer.open()) {
      ns.ip("link", "set", "d0", "arp", "off");
      Iptables iptables = EnforcingEngine.iptables(ns, enforcer);
      byte[] p9 = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9);
      byte[] p10 = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 10);

      assertThat(ns.send(List.of(p9))).as("initial table: ACCEPT").containsExactly(true);
      assertThat(run(iptables, "-A OUTPUT -p udp --dport 9 -j DROP")).isZero();
      assertThat(ns.send(List.of(p9, p9, p10))).containsExactly(false, false, true);
      assertThat(save(iptables))
          .contains(":OUTPUT ACCEPT [1:" + p10.length + "]")
          .contains("[2:" + 2 * p9.length + "] -A OUTPUT -p udp -m udp --dport 9 -j DROP");
      // a replace hands the traffic back, iptables carries rule counters over (and, as
      // iptables-legacy does, not the policy's)
      assertThat(run(iptables, "-A OUTPUT -p udp --dport 10 -j DROP")).isZero();
      assertThat(ns.send(List.of(p9, p10))).containsExactly(false, false);
      assertThat(save(iptables))
          .contains("[3:" + 3 * p9.length + "] -A OUTPUT -p udp -m udp --dport 9 -j DROP")
          .contains("[1:" + p10.length + "] -A OUTPUT -p udp -m udp --dport 10 -j DROP");

      // -m statistic cannot be compiled: refused, nothing changes
      StringBuilder err = new StringBuilder();
      int rc =
          iptables.run(
              List.of(
                  "-I",
                  "OUTPUT",
                  "-m",
                  "statistic",
                  "--mode",
                  "random",
                  "--probability",
                  "0.5",
                  "-j",
                  "ACCEPT"),
              new StringBuilder(),
              err);
      assertThat(rc).isNotZero();
      assertThat(err.toString()).contains("No chain/target/match by that name");
      assertThat(ns.send(List.of(p9))).containsExactly(false);
      assertThat(save(iptables)).doesNotContain("statistic");

      assertThat(run(iptables, "-Z OUTPUT")).isZero();
      assertThat(save(iptables)).contains("[0:0] -A OUTPUT -p udp -m udp --dport 9 -j DROP");
    }
  }

  private static int run(Iptables iptables, String line) throws Exception {
    StringBuilder err = new StringBuilder();
    int rc = iptables.run(List.of(line.split(" ")), new StringBuilder(), err);
    assertThat(err.toString()).as(line).isEmpty();
    return rc;
  }

  private static String save(Iptables iptables) throws Exception {
    StringBuilder out = new StringBuilder();
    new IptablesSave(iptables, ZonedDateTime::now)
        .run(List.of("-c", "-t", "filter"), out, new StringBuilder());
    return out.toString();
  }
}

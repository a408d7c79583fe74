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
 * The umh's table engine with enforcement, driven by iptables: ufw's addrtype, limit and recent
 * rules (and owner) are offered and enforced; owner --suppl-groups, which the compiler refuses, is
 * answered as a kernel without the module would.
 */
@Timeout(120)
class EnforcedStatefulEngineTest {
  @Test
  void ufwStyleRulesAreEnforcedAndSupplGroupsRefused() throws Exception {
    FilterBed.assumeBpf();
    try (TestNetns ns = TestNetns.create();
        Enforcer enforcer = Enforcer.open()) {
      ns.ip("link", "set", "d0", "arp", "off");
      ns.ip("addr", "add", "10.5.0.1/24", "dev", "d0");
      Iptables iptables = EnforcingEngine.iptables(ns, enforcer);
      for (String line :
          List.of(
              "-N ufw-not-local",
              "-A OUTPUT -p udp -j ufw-not-local",
              "-A ufw-not-local -m addrtype --src-type LOCAL -j RETURN",
              "-A ufw-not-local -m addrtype --src-type MULTICAST -j RETURN",
              "-A ufw-not-local -m addrtype --src-type BROADCAST -j RETURN",
              "-A ufw-not-local -m limit --limit 3/min --limit-burst 2 -j DROP",
              "-A ufw-not-local -m owner --uid-owner 0 -j ACCEPT",
              "-A ufw-not-local -j DROP")) {
        StringBuilder err = new StringBuilder();
        assertThat(iptables.run(List.of(line.split(" ")), new StringBuilder(), err))
            .as("%s: %s", line, err)
            .isZero();
      }
      byte[] local = Packets.udp(addr(10, 5, 0, 1), addr(10, 2, 0, 1), 1, 9);
      byte[] other = Packets.udp(addr(10, 7, 0, 1), addr(10, 2, 0, 1), 1, 9);
      // not local: the limit drops two, then the sender (root) is accepted by owner
      assertThat(ns.send(List.of(local, other, other, other, other)))
          .containsExactly(true, false, false, true, true);
      StringBuilder out = new StringBuilder();
      new IptablesSave(iptables, ZonedDateTime::now)
          .run(List.of("-c", "-t", "filter"), out, new StringBuilder());
      assertThat(out.toString())
          .contains("-A ufw-not-local -m addrtype --src-type LOCAL -j RETURN")
          .contains("[2:64] -A ufw-not-local -m limit --limit 3/min --limit-burst 2 -j DROP")
          .contains("[2:64] -A ufw-not-local -m owner --uid-owner 0 -j ACCEPT");

      StringBuilder err = new StringBuilder();
      int rc =
          iptables.run(
              List.of(
                  "-A",
                  "OUTPUT",
                  "-m",
                  "owner",
                  "--gid-owner",
                  "0",
                  "--suppl-groups",
                  "-j",
                  "ACCEPT"),
              new StringBuilder(),
              err);
      assertThat(rc).isNotZero();
      assertThat(err.toString()).contains("No chain/target/match by that name");
    }
  }

  /**
   * ufw's limit pair through iptables: each -A is a replace, and the recent table DEFAULT lives on
   * through them with its stamps, as the kernel's.
   */
  @Test
  void recentTablesLiveOnThroughTheEnginesReplaces() throws Exception {
    FilterBed.assumeBpf();
    try (TestNetns ns = TestNetns.create();
        Enforcer enforcer = Enforcer.open()) {
      ns.ip("link", "set", "d0", "arp", "off");
      Iptables iptables = EnforcingEngine.iptables(ns, enforcer);
      for (String line :
          List.of(
              "-A OUTPUT -p udp --dport 22 -m recent --set --name DEFAULT --mask 255.255.255.255"
                  + " --rsource",
              "-A OUTPUT -p udp --dport 22 -m recent --update --seconds 30 --hitcount 3 --name"
                  + " DEFAULT --mask 255.255.255.255 --rsource -j DROP")) {
        StringBuilder err = new StringBuilder();
        assertThat(iptables.run(List.of(line.split(" ")), new StringBuilder(), err))
            .as("%s: %s", line, err)
            .isZero();
      }
      byte[] p = Packets.udp(addr(10, 7, 0, 1), addr(10, 2, 0, 1), 1, 22);
      assertThat(ns.send(List.of(p, p))).containsExactly(true, true);
      StringBuilder err = new StringBuilder();
      assertThat(
              iptables.run(
                  List.of("-A", "OUTPUT", "-p", "udp", "--dport", "99", "-j", "ACCEPT"),
                  new StringBuilder(),
                  err))
          .as(err.toString())
          .isZero();
      assertThat(ns.send(List.of(p, p))).as("the third and fourth").containsExactly(false, false);
      StringBuilder out = new StringBuilder();
      new IptablesSave(iptables, ZonedDateTime::now)
          .run(List.of("-c", "-t", "filter"), out, new StringBuilder());
      assertThat(out.toString())
          .contains(
              "[2:64] -A OUTPUT -p udp -m udp --dport 22 -m recent --update --seconds 30"
                  + " --hitcount 3 --name DEFAULT --mask 255.255.255.255 --rsource -j DROP");
    }
  }
}

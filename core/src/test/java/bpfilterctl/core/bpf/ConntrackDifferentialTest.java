package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.ConntrackHold;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.IptablesSave;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stateful filter table on a server namespace joined to a client namespace by a veth, once in the
 * kernel's ip_tables (iptables-legacy-restore) and once compiled by us and attached, with conntrack
 * kept on by {@link ConntrackHold} alone; the same traffic through both (conntrack_traffic.py): TCP
 * connections with data both ways (from either side), a connection to a closed port (RST), one to a
 * blocked port (no answer), UDP to a closed port (an ICMP port unreachable, RELATED, comes back),
 * UDP from the server (its ICMP error comes in RELATED), a stray ACK and a SYN+FIN (INVALID, with
 * nf_conntrack_tcp_loose=0), then, with a raw-table NOTRACK rule, UNTRACKED datagrams. The outcome
 * of every step and iptables-save -c of the filter table (every rule's packets and bytes) must be
 * the same; ours is run eagerly and with accumulated tests.
 */
@Timeout(300)
class ConntrackDifferentialTest {
  static final String TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT DROP [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          "-A INPUT -m conntrack --ctstatus SEEN_REPLY",
          "-A INPUT -m conntrack --ctdir REPLY",
          "-A INPUT -m conntrack ! --ctstatus CONFIRMED",
          "-A INPUT -m conntrack --ctstatus ASSURED --ctdir ORIGINAL",
          "-A INPUT -m conntrack ! --ctstate NEW --ctstatus EXPECTED,ASSURED",
          "-A INPUT -m state --state UNTRACKED",
          "-A INPUT -m state ! --state ESTABLISHED,NEW",
          "-A INPUT -m conntrack --ctstate INVALID -j DROP",
          "-A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
          "-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT",
          "-A INPUT -p tcp -m state --state NEW -m tcp --dport 23 -j ACCEPT",
          "-A INPUT -p udp -m udp --dport 5353 -m conntrack --ctstate NEW --ctdir ORIGINAL -j ACCEPT",
          "-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT",
          "-A OUTPUT -m conntrack --ctdir REPLY",
          "-A OUTPUT -m conntrack --ctdir ORIGINAL",
          "-A OUTPUT -m conntrack --ctstatus SEEN_REPLY",
          "-A OUTPUT -m conntrack ! --ctstatus CONFIRMED",
          "-A OUTPUT -m conntrack --ctstate RELATED",
          "-A OUTPUT -m state --state ESTABLISHED",
          "-A OUTPUT -m conntrack --ctstate INVALID,UNTRACKED",
          "-A OUTPUT -m conntrack --ctstate NEW --ctdir REPLY",
          "-A OUTPUT -m state --state NEW -j ACCEPT",
          "COMMIT",
          "");

  static final String NOTRACK = "-t raw -A PREROUTING -p udp --dport 9999 -j CT --notrack";

  @Test
  void statefulTableAgreesWithIpTablesOverVeth() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    List<String> kernelOutcomes = new ArrayList<>();
    String kernelSave;
    try (VethPeers kernel = VethPeers.create()) {
      TestNetns.Result restored = kernel.server().exec(TABLE, "iptables-legacy-restore");
      assertThat(restored.rc()).as(restored.err()).isZero();
      kernelOutcomes.addAll(kernel.traffic("main"));
      iptables(kernel.server(), NOTRACK);
      kernelOutcomes.addAll(kernel.traffic("untracked"));
      kernelSave =
          strip(kernel.server().exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
    }
    System.out.println(String.join("\n", kernelOutcomes) + "\n" + kernelSave);
    // not vacuous: each kind of outcome happens, and rules of each kind counted packets
    assertThat(kernelOutcomes)
        .contains(
            "tcp 22 both ways: ok 1000 1500 eof 0 0",
            "tcp 23 closed: refused",
            "tcp 8080 blocked: timeout",
            "udp 5353 closed: refused",
            "udp 5354 blocked: timeout",
            "server udp to client: refused",
            "server tcp to client: ok 300 340 eof 0 0",
            "udp 9999 untracked: refused",
            "udp 9998 tracked: timeout");
    assertThat(kernelSave)
        .contains("-m state --state UNTRACKED")
        .doesNotContain("[0:0] -A INPUT -m conntrack --ctstate INVALID -j DROP")
        .doesNotContain("[0:0] -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT")
        .doesNotContain("[0:0] -A OUTPUT -m conntrack --ctstate RELATED");

    for (boolean eager : List.of(true, false)) {
      try (VethPeers ours = VethPeers.create();
          FilterBed bed = eager ? new FilterBed() : new FilterBed().accumulated()) {
        bed.restore(TABLE).load();
        List<String> outcomes = new ArrayList<>();
        List<Fd> links = new ArrayList<>();
        assertThat(VethPeers.tracked(ours.server())).as("nothing tracks yet").isZero();
        try {
          Netns.call(
              FilterBed.BPF,
              ours.server().path(),
              () -> {
                ConntrackHold.hold();
                for (int hook : bed.progs.keySet()) {
                  links.add(FilterBed.BPF.linkNetfilter(bed.progs.get(hook), hook, 0));
                }
                return null;
              });
          outcomes.addAll(ours.traffic("main"));
          iptables(ours.server(), NOTRACK);
          outcomes.addAll(ours.traffic("untracked"));
        } finally {
          links.forEach(Fd::close);
        }
        assertThat(outcomes).as("outcomes, eager %s", eager).isEqualTo(kernelOutcomes);
        assertThat(save(bed)).as("counters, eager %s", eager).isEqualTo(kernelSave);
      }
    }
  }

  /** Our table's iptables-save -c with the programs' counters added, as the umh shows them. */
  static String save(FilterBed bed) throws Exception {
    List<XtCounters> counters = new ArrayList<>();
    for (int i = 0; i < bed.table.size(); i++) {
      long[] c = bed.counter(i);
      counters.add(new XtCounters(c[0], c[1]));
    }
    bed.port.set(
        Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd(), new XtCountersInfo("filter", counters).encode());
    StringBuilder save = new StringBuilder();
    new IptablesSave(bed.iptables, ZonedDateTime::now)
        .run(List.of("-c", "-t", "filter"), save, new StringBuilder());
    return strip(save.toString());
  }

  static void iptables(TestNetns ns, String rule) throws Exception {
    List<String> argv = new ArrayList<>(List.of("iptables-legacy"));
    argv.addAll(List.of(rule.split(" ")));
    TestNetns.Result r = ns.exec("", argv.toArray(String[]::new));
    assertThat(r.rc()).as("%s: %s", rule, r.err()).isZero();
  }

  private static String strip(String save) {
    return save.lines().filter(l -> !l.startsWith("#")).collect(Collectors.joining("\n"));
  }
}

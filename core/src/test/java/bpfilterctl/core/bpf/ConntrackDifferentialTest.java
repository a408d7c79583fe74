package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.ConntrackHold;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stateful filter table on a server namespace joined to a client namespace by a veth (INPUT and
 * OUTPUT), or on a router between them (FORWARD), once in the kernel's ip_tables
 * (iptables-legacy-restore) and once compiled by us and attached, with conntrack kept on by {@link
 * ConntrackHold} alone; the same traffic through both (conntrack_traffic.py): TCP connections with
 * data both ways (from either side), a connection to a closed port (RST), one to a blocked port (no
 * answer), UDP to a closed port (an ICMP port unreachable, RELATED, comes back), UDP from the
 * server (its ICMP error comes in RELATED), a stray ACK and a SYN+FIN (INVALID, with
 * nf_conntrack_tcp_loose=0), then, with a raw-table NOTRACK rule, UNTRACKED datagrams. The outcome
 * of every step and iptables-save -c of the filter table (every rule's packets and bytes) must be
 * the same. Ours is compiled eagerly on the server and with accumulated tests on the router; {@code
 * -Dbpf.conntrack.bothWays=true} runs both ways on both.
 */
@Timeout(300)
class ConntrackDifferentialTest {
  static final boolean BOTH_WAYS = Boolean.getBoolean("bpf.conntrack.bothWays");

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

  /**
   * The same stateful policy on a router's FORWARD chain (cr: the client's side, sr: the server's).
   */
  static final String FORWARD_TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD DROP [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          "-A FORWARD -m conntrack --ctstatus SEEN_REPLY",
          "-A FORWARD -m conntrack --ctdir REPLY",
          "-A FORWARD -m conntrack ! --ctstatus CONFIRMED",
          "-A FORWARD -m conntrack --ctstatus ASSURED --ctdir ORIGINAL",
          "-A FORWARD -m state --state UNTRACKED",
          "-A FORWARD -m state ! --state ESTABLISHED,NEW",
          "-A FORWARD -m conntrack --ctstate INVALID -j DROP",
          "-A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT",
          "-A FORWARD -i cr -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT",
          "-A FORWARD -i cr -p tcp -m state --state NEW -m tcp --dport 23 -j ACCEPT",
          "-A FORWARD -i cr -p udp -m udp --dport 5353 -m conntrack --ctstate NEW --ctdir ORIGINAL"
              + " -j ACCEPT",
          "-A FORWARD -i sr -m conntrack --ctstate NEW -j ACCEPT",
          "-A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT",
          "COMMIT",
          "");

  @Test
  void serverInputAndOutputAgreeWithIpTables() throws Exception {
    // the server answers the untracked datagram; its ICMP error leaves through OUTPUT
    String save = agree(VethPeers::create, TABLE, "udp 9999 untracked: refused", true);
    assertThat(save)
        .doesNotContain("[0:0] -A INPUT -m conntrack --ctstate INVALID -j DROP")
        .doesNotContain("[0:0] -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        .doesNotContain("[0:0] -A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT")
        .doesNotContain("[0:0] -A OUTPUT -m conntrack --ctstate RELATED");
  }

  @Test
  void routerForwardAgreesWithIpTables() throws Exception {
    // the server's ICMP error for the untracked datagram relates to no entry: INVALID, dropped
    String save = agree(VethPeers::routed, FORWARD_TABLE, "udp 9999 untracked: timeout", false);
    assertThat(save)
        .doesNotContain("[0:0] -A FORWARD -m conntrack --ctstate INVALID -j DROP")
        .doesNotContain("[0:0] -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        .doesNotContain("[0:0] -A FORWARD -m conntrack --ctstate UNTRACKED -j ACCEPT")
        .doesNotContain("[0:0] -A FORWARD -i sr -m conntrack --ctstate NEW -j ACCEPT");
  }

  interface Topology {
    VethPeers create() throws Exception;
  }

  /**
   * Runs the traffic with {@code table} in the kernel and in ours (eager, then accumulated), each
   * in a fresh topology; asserts the same outcomes and counters; returns the kernel's
   * iptables-save. {@code untracked}: the kernel's outcome for the untracked datagram; {@code
   * eagerly}: how ours is compiled (unless both ways are asked for).
   */
  static String agree(Topology topology, String table, String untracked, boolean eagerly)
      throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    List<String> kernelOutcomes = new ArrayList<>();
    String kernelSave;
    try (VethPeers kernel = topology.create()) {
      TestNetns.Result restored = kernel.filtering().exec(table, "iptables-legacy-restore");
      assertThat(restored.rc()).as(restored.err()).isZero();
      kernelOutcomes.addAll(kernel.traffic("main"));
      iptables(kernel.filtering(), NOTRACK);
      kernelOutcomes.addAll(kernel.traffic("untracked"));
      kernelSave =
          FilterBed.withoutComments(
              kernel.filtering().exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
    }
    System.out.println(String.join("\n", kernelOutcomes) + "\n" + kernelSave);
    // not vacuous: each kind of outcome happens
    assertThat(kernelOutcomes)
        .contains(
            "tcp 22 both ways: ok 1000 1500 eof 0 0",
            "tcp 23 closed: refused",
            "tcp 8080 blocked: timeout",
            "udp 5353 closed: refused",
            "udp 5354 blocked: timeout",
            "server udp to client: refused",
            "server tcp to client: ok 300 340 eof 0 0",
            "after stray: ok 10 20 eof 0 0",
            untracked,
            "udp 9998 tracked: timeout");
    assertThat(kernelSave).contains("-m state --state UNTRACKED");

    for (boolean eager : BOTH_WAYS ? List.of(true, false) : List.of(eagerly)) {
      try (VethPeers ours = topology.create();
          FilterBed bed = eager ? new FilterBed() : new FilterBed().accumulated()) {
        bed.restore(table).load();
        List<String> outcomes = new ArrayList<>();
        List<Fd> links = new ArrayList<>();
        assertThat(VethPeers.tracked(ours.filtering())).as("nothing tracks yet").isZero();
        try {
          Netns.call(
              FilterBed.BPF,
              ours.filtering().path(),
              () -> {
                ConntrackHold.hold();
                for (int hook : bed.progs.keySet()) {
                  links.add(FilterBed.BPF.linkNetfilter(bed.progs.get(hook), hook, 0));
                }
                return null;
              });
          outcomes.addAll(ours.traffic("main"));
          iptables(ours.filtering(), NOTRACK);
          outcomes.addAll(ours.traffic("untracked"));
        } finally {
          links.forEach(Fd::close);
        }
        assertThat(outcomes).as("outcomes, eager %s", eager).isEqualTo(kernelOutcomes);
        assertThat(save(bed)).as("counters, eager %s", eager).isEqualTo(kernelSave);
      }
    }
    return kernelSave;
  }

  /** Our table's iptables-save -c with the programs' counters added, as the umh shows them. */
  static String save(FilterBed bed) throws Exception {
    String save = bed.saveWithCounters();
    return save;
  }

  static void iptables(TestNetns ns, String rule) throws Exception {
    List<String> argv = new ArrayList<>(List.of("iptables-legacy"));
    argv.addAll(List.of(rule.split(" ")));
    TestNetns.Result r = ns.exec("", argv.toArray(String[]::new));
    assertThat(r.rc()).as("%s: %s", rule, r.err()).isZero();
  }
}

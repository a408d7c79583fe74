package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.RealRulesets.PING;
import static bpfilterctl.core.bpf.RealRulesets.firewalldTable;
import static bpfilterctl.core.bpf.RealRulesets.kernelSide;
import static bpfilterctl.core.bpf.RealRulesets.peers;
import static bpfilterctl.core.bpf.RealRulesets.requireTools;
import static bpfilterctl.core.bpf.RealRulesets.runProbes;
import static bpfilterctl.core.bpf.RealRulesets.script;
import static bpfilterctl.core.bpf.RealRulesets.serverLines;
import static bpfilterctl.core.bpf.RealRulesets.side;
import static bpfilterctl.core.bpf.RealRulesets.tcp;
import static bpfilterctl.core.bpf.RealRulesets.udp;
import static bpfilterctl.core.bpf.RealRulesets.ufwTable;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real filter tables, ufw's (enabled, default deny incoming, logging on) and firewalld's public
 * zone (iptables backend), built from the restore inputs of the scenario scripts 21-ufw.sh and
 * 26-firewalld-zones.sh, enforced on the server of a veth pair: once by the kernel's ip_tables
 * (iptables-legacy-restore), once by our compiled table. The client's TCP connects, UDP exchanges
 * and ICMP echo (every port has a listener, so a refusal or a silence comes from the table) end the
 * same way on both sides, the REJECTs answer at once, the LOG lines equal the kernel's dmesg lines
 * (MACs and IP ids aside: the veths' MACs are random, and so are the ids of DF packets), and
 * iptables-save -c -t filter is identical, counters of every rule included: REJECT's replies pass
 * OUTPUT as RELATED on both sides (ufw accepts them in ufw-before-output). ufw's `ufw limit` rules
 * (-m recent) refuse the same connections as the kernel's.
 */
@Timeout(120)
class RealRulesetKernelTest {

  @Test
  void ufwAllowsSshRejectsDropsAndLogsAsTheKernel() throws Exception {
    List<RealRulesets.Probe> probes =
        List.of(
            tcp("ssh", 22, 2),
            tcp("https", 443, 2),
            tcp("reject-tcp", 23, 2),
            tcp("denied-tcp", 8080, 0.5),
            udp("reject-udp", 23, 2),
            udp("denied-udp", 9999, 0.5),
            udp("netbios", 137, 0.5),
            PING);
    String listeners = "tcp/22,tcp/443,tcp/23,tcp/8080,udp/23,udp/9999,udp/137";
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("ssh", "connected:hello");
    expected.put("https", "connected:hello");
    expected.put("reject-tcp", "ECONNREFUSED");
    expected.put("denied-tcp", "timeout");
    expected.put("reject-udp", "ECONNREFUSED");
    expected.put("denied-udp", "timeout");
    expected.put("netbios", "timeout");
    expected.put("ping", "reply");

    String table = ufwTable();
    RealRulesets.Side kernel = kernelSide(table, probes, listeners, false);
    RealRulesets.Side ours = ourSide(table, probes, listeners, false);

    assertThat(kernel.outcomes()).as("the kernel's outcomes").isEqualTo(expected);
    assertThat(ours.outcomes()).as("our outcomes").isEqualTo(expected);
    assertThat(ours.ms().get("reject-tcp")).as("refused at once").isLessThan(1000);
    assertThat(ours.ms().get("reject-udp")).as("refused at once").isLessThan(1000);
    // the denied TCP SYN and UDP datagram reach ufw-after-logging-input; the rest is not logged
    assertThat(kernel.lines())
        .hasSize(2)
        .allMatch(l -> l.startsWith("<4>[UFW BLOCK] IN=sv OUT= MAC=_ SRC=10.9.0.1 DST=10.9.0.2"));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    // the two REJECT replies (a 40-byte RST, a 64-byte port-unreachable) leave as RELATED
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  /**
   * `ufw default deny outgoing` (OUTPUT's policy DROP): REJECT's replies leave only as RELATED (the
   * kernel attaches the rejected packet's conntrack to them; ours are recognised at LOCAL_OUT as
   * the umh's replies and given the same), so a connect to the rejected port and a datagram to it
   * are refused at once on both sides, with the same counters.
   */
  @Test
  void ufwDenyOutgoingRefusesRejectedPortsAsTheKernel() throws Exception {
    List<RealRulesets.Probe> probes =
        List.of(tcp("ssh", 22, 2), tcp("reject-tcp", 23, 2), udp("reject-udp", 23, 2), PING);
    String listeners = "tcp/22,tcp/23,udp/23";
    String table = ufwTable().replace(":OUTPUT ACCEPT [0:0]", ":OUTPUT DROP [0:0]");
    RealRulesets.Side kernel = kernelSide(table, probes, listeners, false);
    RealRulesets.Side ours = ourSide(table, probes, listeners, false);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("ssh", "connected:hello");
    expected.put("reject-tcp", "ECONNREFUSED");
    expected.put("reject-udp", "ECONNREFUSED");
    expected.put("ping", "reply");
    assertThat(kernel.outcomes()).as("the kernel's outcomes").isEqualTo(expected);
    assertThat(ours.outcomes()).as("our outcomes").isEqualTo(expected);
    assertThat(ours.ms().get("reject-tcp")).as("refused at once").isLessThan(1000);
    assertThat(ours.ms().get("reject-udp")).as("refused at once").isLessThan(1000);
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  @Test
  void firewalldPublicZoneAllowsSshRejectsAndLogsAsTheKernel() throws Exception {
    String rdpSource = "192.0.2.7";
    List<RealRulesets.Probe> probes =
        List.of(
            tcp("ssh", 22, 2),
            tcp("added-port", 8443, 2),
            tcp("other-tcp", 23, 2),
            udp("other-udp", 23, 2),
            new RealRulesets.Probe("rdp-from-denied-net", "tcp", 3389, rdpSource, 43389, 2),
            PING);
    String listeners = "tcp/22,tcp/8443,tcp/23,tcp/3389,udp/23";
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("ssh", "connected:hello");
    expected.put("added-port", "connected:hello");
    expected.put("other-tcp", "EHOSTUNREACH"); // icmp-host-prohibited
    expected.put("other-udp", "EHOSTUNREACH");
    expected.put("rdp-from-denied-net", "EHOSTUNREACH"); // icmp-admin-prohibited
    expected.put("ping", "reply");

    String table = firewalldTable();
    RealRulesets.Side kernel = kernelSide(table, probes, listeners, true);
    RealRulesets.Side ours = ourSide(table, probes, listeners, true);

    assertThat(kernel.outcomes()).as("the kernel's outcomes").isEqualTo(expected);
    assertThat(ours.outcomes()).as("our outcomes").isEqualTo(expected);
    for (String refused : List.of("other-tcp", "other-udp", "rdp-from-denied-net")) {
      assertThat(ours.ms().get(refused)).as("%s refused at once", refused).isLessThan(1000);
    }
    assertThat(kernel.lines())
        .hasSize(1)
        .allMatch(l -> l.startsWith("<4>rdp-try IN=sv OUT= MAC=_ SRC=192.0.2.7 DST=10.9.0.2"));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  /**
   * ufw's `ufw limit 22/tcp` (as the script writes it): -m recent --set, then --update --seconds 30
   * --hitcount 6 to ufw-user-limit (LOG at 3/minute, REJECT). Eight new connections from one source
   * within the 30 s: the first five connect, the sixth and later are refused, each with an ICMP
   * port unreachable, RELATED at OUTPUT on both sides.
   */
  @Test
  void ufwLimitRejectsTheSixthConnectionAsTheKernel() throws Exception {
    List<RealRulesets.Probe> probes = new ArrayList<>();
    Map<String, String> expected = new LinkedHashMap<>();
    for (int i = 1; i <= 8; i++) {
      probes.add(new RealRulesets.Probe("ssh" + i, "tcp", 22, VethPeers.CLIENT_ADDR, 42000 + i, 2));
      expected.put("ssh" + i, i <= 5 ? "connected:hello" : "ECONNREFUSED");
    }
    limitTable(probes, expected, false, 3);
  }

  /** As above from two sources, interleaved: each source has its own stamps in table DEFAULT. */
  @Test
  void ufwLimitCountsEachSourceApart() throws Exception {
    List<RealRulesets.Probe> probes = new ArrayList<>();
    Map<String, String> expected = new LinkedHashMap<>();
    int[] made = new int[2];
    for (int i = 1; i <= 14; i++) {
      int who = (i - 1) / 2 % 2; // a a b b a a b b ...
      String src = who == 0 ? VethPeers.CLIENT_ADDR : "192.0.2.7";
      String name = (who == 0 ? "a" : "b") + ++made[who];
      probes.add(new RealRulesets.Probe(name, "tcp", 22, src, 42000 + i, 2));
      expected.put(name, made[who] <= 5 ? "connected:hello" : "ECONNREFUSED");
    }
    limitTable(probes, expected, true, 4);
  }

  /** The ufw table with `ufw limit 22/tcp`, the probes run against the kernel's and ours. */
  private static void limitTable(
      List<RealRulesets.Probe> probes, Map<String, String> expected, boolean rdpNet, int refused)
      throws Exception {
    List<String> limit = new ArrayList<>();
    for (String l : script("21-ufw.sh").lines().toList()) {
      if (l.startsWith("iptables-legacy -A ufw-user-input -p tcp --dport 22 ")) {
        limit.add(l.substring("iptables-legacy ".length()));
      }
    }
    assertThat(limit).hasSize(3).allMatch(l -> !l.contains("-j ACCEPT"));
    limit.add("-A ufw-user-logging-input -j RETURN");
    String table = ufwTable(limit);
    RealRulesets.Side kernel = kernelSide(table, probes, "tcp/22", rdpNet);
    RealRulesets.Side ours = ourSide(table, probes, "tcp/22", rdpNet);
    assertThat(kernel.outcomes()).as("the kernel's outcomes").isEqualTo(expected);
    assertThat(ours.outcomes()).as("our outcomes").isEqualTo(expected);
    assertThat(kernel.lines())
        .hasSize(refused)
        .allMatch(l -> l.startsWith("<4>[UFW LIMIT BLOCK] IN=sv OUT= MAC=_ SRC="));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  private static RealRulesets.Side ourSide(
      String table, List<RealRulesets.Probe> probes, String listeners, boolean rdpNet)
      throws Exception {
    requireTools();
    List<String> logged = new CopyOnWriteArrayList<>();
    try (VethPeers peers = peers(rdpNet);
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      bed.restore(table);
      bed.enforceIn(enforcer, peers.server().path(), logged::add);
      List<?> run = runProbes(peers, probes, listeners);
      String save = bed.saveWithCounters(enforcer);
      return side(run, save, serverLines(logged, peers.server()));
    }
  }
}

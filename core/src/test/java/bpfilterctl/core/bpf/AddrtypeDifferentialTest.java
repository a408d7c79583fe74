package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.RouteMirror;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * addrtype in the kernel's ip_tables (iptables-legacy, one namespace) and compiled by us with the
 * umh's local route mirror (another namespace with the same addresses and routes): packets with
 * local, broadcast, multicast, zero-net, blackholed and other sources, to unicast and local
 * destinations, sent from both; then routes, an address and a policy rule (which unmerges the local
 * table from main) change in both, and the packets are sent again. The same packets get out and
 * iptables-save -c prints the same counters.
 */
@Timeout(300)
class AddrtypeDifferentialTest {
  private static final String TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          ":c - [0:0]",
          "-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j c",
          "-A INPUT -m addrtype --src-type LOCAL -j c",
          "-A INPUT -m addrtype ! --src-type LOCAL,UNICAST -j c",
          "-A OUTPUT -m addrtype --src-type LOCAL -j c",
          "-A OUTPUT -m addrtype --src-type BROADCAST -j c",
          "-A OUTPUT -m addrtype --src-type MULTICAST -j c",
          "-A OUTPUT -m addrtype --src-type UNICAST -j c",
          "-A OUTPUT -m addrtype --src-type LOCAL --limit-iface-out -j c",
          "-A OUTPUT -m addrtype --src-type LOCAL,BROADCAST --dst-type UNICAST -j c",
          "-A OUTPUT -m addrtype --dst-type LOCAL -j c",
          "-A OUTPUT -m addrtype ! --src-type UNICAST --limit-iface-out -j c",
          "-A OUTPUT -p udp --dport 7 -m addrtype --src-type BROADCAST -j DROP",
          "-A OUTPUT -p udp --dport 8 -m addrtype ! --src-type LOCAL -j DROP",
          "-A OUTPUT -p udp --dport 9 -m addrtype --dst-type LOCAL --src-type UNICAST -j DROP",
          "COMMIT",
          "");

  private static final int[][] SOURCES = {
    {10, 5, 0, 1}, // an address of d0: local
    {10, 5, 0, 255}, // its broadcast
    {10, 5, 0, 7}, // its subnet (main, seen while the tables are merged): unicast
    {224, 1, 1, 1},
    {0, 0, 0, 1},
    {10, 8, 3, 3}, // local range in table local
    {10, 9, 9, 9}, // blackhole in table local: the lookup fails, unicast
    {10, 11, 0, 1}, // a local route in table main: local only while merged
    {10, 12, 0, 1}, // broadcast route on lo in table local
    {10, 30, 0, 1}, // an address added in round 2
    {127, 0, 0, 1},
    {8, 8, 8, 8},
  };

  private static final int[][] DESTINATIONS = {{10, 20, 0, 1}, {10, 5, 0, 1}, {127, 0, 0, 1}};

  @Test
  void packetsToAndFromEveryTypeMeetTheKernelsAddrtype() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    List<byte[]> packets = new ArrayList<>();
    for (int[] s : SOURCES) {
      for (int[] d : DESTINATIONS) {
        for (int port = 7; port <= 9; port++) {
          packets.add(
              Packets.udp(
                  Packets.addr(s[0], s[1], s[2], s[3]),
                  Packets.addr(d[0], d[1], d[2], d[3]),
                  5000,
                  port));
        }
      }
    }
    try (TestNetns kernel = TestNetns.create();
        TestNetns ours = TestNetns.create();
        FilterBed bed = new FilterBed()) {
      for (TestNetns ns : List.of(kernel, ours)) {
        ns.ip("link", "set", "d0", "arp", "off");
        ns.ip("addr", "add", "10.5.0.1/24", "dev", "d0");
        ns.ip("route", "add", "local", "10.8.0.0/16", "dev", "lo", "table", "local");
        ns.ip("route", "add", "blackhole", "10.9.9.0/24", "table", "local");
        ns.ip("route", "add", "local", "10.11.0.1", "dev", "d0", "table", "main");
        ns.ip("route", "add", "broadcast", "10.12.0.1", "dev", "lo", "table", "local");
      }
      TestNetns.Result restored = kernel.exec(TABLE, "iptables-legacy-restore");
      assertThat(restored.rc()).as("kernel restore: %s", restored.err()).isZero();
      String kernelRound1 = sent(kernel.send(packets));
      change(kernel);
      String kernelRound2 = sent(kernel.send(packets));
      String kernelSave =
          FilterBed.withoutComments(
              kernel.exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
      // not vacuous: some packets dropped, and the second round differs from the first
      assertThat(kernelRound1).contains("0").contains("1");
      assertThat(kernelRound2).isNotEqualTo(kernelRound1);

      bed.restore(TABLE);
      String ourRound1;
      String ourRound2;
      try (RouteMirror mirror =
          Netns.call(
              FilterBed.BPF, ours.path(), () -> RouteMirror.open(FilterBed.BPF, System.err))) {
        bed.routes(mirror.map()).load();
        FilterBed.Links links = bed.attach(ours.path());
        try {
          ourRound1 = sent(ours.send(packets));
          change(ours);
          Thread.sleep(1000); // the mirror follows the kernel's events, not instantly
          ourRound2 = sent(ours.send(packets));
        } finally {
          links.close();
        }
      }
      String save = bed.saveWithCounters();
      System.out.println("kernel: " + kernelRound1 + " " + kernelRound2);
      System.out.println("ours:   " + ourRound1 + " " + ourRound2);
      assertThat(ourRound1).as("round 1").isEqualTo(kernelRound1);
      assertThat(ourRound2).as("round 2").isEqualTo(kernelRound2);
      assertThat(save).as("counters").isEqualTo(kernelSave);
    }
  }

  /** The same change in either namespace: an address, a route gone, a rule (unmerges). */
  private static void change(TestNetns ns) throws Exception {
    ns.ip("addr", "add", "10.30.0.1/24", "dev", "d0");
    ns.ip("route", "del", "local", "10.8.0.0/16", "dev", "lo", "table", "local");
    ns.ip("rule", "add", "from", "1.2.3.4", "lookup", "100");
  }

  private static String sent(boolean[] sent) {
    StringBuilder s = new StringBuilder();
    for (boolean b : sent) {
      s.append(b ? '1' : '0');
    }
    return s.toString();
  }
}

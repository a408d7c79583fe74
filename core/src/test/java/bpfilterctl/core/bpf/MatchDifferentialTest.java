package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * KernelDifferentialTest for the matches beyond ports: the same random table (MatchRandomFilter:
 * multiport, iprange, mark, comment, length, ttl, tos, dscp, pkttype, tcp options, icmp names) in
 * the kernel's ip_tables (iptables-legacy, one namespace) and compiled by us and attached (another
 * namespace); the same packets, each with its skb mark, sent from both: the same ones get out
 * through LOCAL_OUT, and iptables-save -c prints the same counters for every rule and policy of
 * INPUT and OUTPUT (multicast and broadcast packets come back through LOCAL_IN as PACKET_LOOPBACK,
 * xt_pkttype's special case). Odd seeds compile every entry with one jump, even seeds eagerly.
 *
 * <p>{@code bpf.matchdiff.seeds} seeds (default 10) in the normal build; the soak variant (-Psoak)
 * runs {@code bpf.matchdiff.soakSeeds} (default 100).
 */
@Timeout(600)
class MatchDifferentialTest {
  static final int SEEDS = Integer.getInteger("bpf.matchdiff.seeds", 10);
  static final int SOAK_SEEDS = Integer.getInteger("bpf.matchdiff.soakSeeds", 100);
  static final int PACKETS = 60;

  /**
   * Sends "mark hex" lines on a raw socket (SO_MARK per packet, SO_BROADCAST on); prints 1 (sent)
   * or 0 (EPERM: a netfilter drop) for each, E for any other error.
   */
  private static final String SENDER =
      String.join(
          "\n",
          "import sys, socket, errno",
          "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)",
          "s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)",
          "out = []",
          "for line in sys.stdin:",
          "    mark, hexp = line.split()",
          "    s.setsockopt(socket.SOL_SOCKET, 36, int(mark))",
          "    p = bytes.fromhex(hexp)",
          "    try:",
          "        s.sendto(p, (socket.inet_ntoa(p[16:20]), 0)); out.append('1')",
          "    except OSError as e:",
          "        out.append('0' if e.errno == errno.EPERM else 'E')",
          "print(''.join(out))");

  private static final String PYTHON = Python3.command();

  @Test
  void randomTablesOfTheseMatchesAgreeWithIpTables() throws Exception {
    compare(SEEDS);
  }

  @Test
  @Tag("soak")
  @Timeout(3600)
  void aHundredRandomTablesOfTheseMatchesAgreeWithIpTables() throws Exception {
    compare(SOAK_SEEDS);
  }

  private void compare(int seeds) throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Path dir = Files.createTempDirectory("matchdiff");
    try (TestNetns kernel = TestNetns.create();
        TestNetns ours = TestNetns.create()) {
      for (TestNetns ns : List.of(kernel, ours)) {
        ns.ip("link", "set", "d0", "arp", "off"); // no neighbour resolution, no late ICMP errors
      }
      int dropped = 0;
      int delivered = 0;
      long inputPackets = 0;
      for (int seed = 1; seed <= seeds; seed++) {
        MatchRandomFilter gen = new MatchRandomFilter(seed);
        String table = gen.table();
        List<MatchRandomFilter.Packet> packets = gen.packets(PACKETS);
        // one process in the kernel's namespace: restore, send, wait, save
        Files.writeString(dir.resolve("table"), table);
        Files.writeString(dir.resolve("packets"), lines(packets));
        TestNetns.Result k =
            kernel.exec(
                "",
                "sh",
                "-c",
                "iptables-legacy-restore < \"$1\" || exit 7; \"$4\" -c \"$3\" < \"$2\""
                    + " && sleep 0.1 && iptables-legacy-save -c -t filter",
                "sh",
                dir.resolve("table").toString(),
                dir.resolve("packets").toString(),
                SENDER,
                PYTHON);
        assertThat(k.rc()).as("kernel side, seed %d:\n%s%s", seed, table, k.err()).isZero();
        String kernelSent = k.out().lines().findFirst().orElseThrow();
        assertThat(kernelSent).hasSize(packets.size()).doesNotContain("E");
        for (char c : kernelSent.toCharArray()) {
          dropped += c == '0' ? 1 : 0;
          delivered += c == '1' ? 1 : 0;
        }
        String kernelSave = FilterBed.withoutComments(k.out().substring(kernelSent.length() + 1));
        inputPackets += policyPackets(kernelSave, "INPUT") + rulePackets(kernelSave, "INPUT");

        try (FilterBed bed = seed % 2 == 0 ? new FilterBed() : new FilterBed().accumulated()) {
          bed.restore(table).load();
          String ourSent;
          FilterBed.Links links = bed.attach(ours.path());
          try {
            ourSent = send(ours, packets);
          } finally {
            links.close();
          }
          String save = bed.saveWithCounters();
          assertThat(ourSent).as("delivered, seed %d:\n%s", seed, table).isEqualTo(kernelSent);
          assertThat(save).as("counters, seed %d:\n%s", seed, table).isEqualTo(kernelSave);
        }
      }
      // not vacuous: packets were dropped, let out, and came back through INPUT
      assertThat(dropped).isPositive();
      assertThat(delivered).isPositive();
      assertThat(inputPackets).isPositive();
      System.out.printf(
          "%d seeds: %d packets dropped, %d delivered, %d INPUT traversals%n",
          seeds, dropped, delivered, inputPackets);
    } finally {
      for (String f : new String[] {"table", "packets"}) {
        Files.deleteIfExists(dir.resolve(f));
      }
      Files.delete(dir);
    }
  }

  private static String lines(List<MatchRandomFilter.Packet> packets) {
    StringBuilder in = new StringBuilder();
    for (MatchRandomFilter.Packet p : packets) {
      in.append(Integer.toUnsignedString(p.mark()))
          .append(' ')
          .append(HexFormat.of().formatHex(p.bytes()))
          .append('\n');
    }
    return in.toString();
  }

  /** One char per packet (1 sent, 0 dropped), after the looped-back copies were processed. */
  private static String send(TestNetns ns, List<MatchRandomFilter.Packet> packets)
      throws Exception {
    TestNetns.Result r = ns.exec(lines(packets), PYTHON, "-c", SENDER);
    assertThat(r.rc()).as("sender: %s", r.err()).isZero();
    String out = r.out().trim();
    assertThat(out).hasSize(packets.size()).doesNotContain("E");
    Thread.sleep(100); // multicast and broadcast copies reach LOCAL_IN from the backlog
    return out;
  }

  private static long policyPackets(String save, String chain) {
    return save.lines()
        .filter(l -> l.startsWith(":" + chain + " "))
        .mapToLong(l -> Long.parseLong(l.substring(l.indexOf('[') + 1, l.indexOf(':', 2))))
        .sum();
  }

  private static long rulePackets(String save, String chain) {
    return save.lines()
        .filter(l -> l.contains("-A " + chain + " "))
        .mapToLong(l -> Long.parseLong(l.substring(1, l.indexOf(':'))))
        .sum();
  }
}

package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.compile.RecentParams;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * recent in the kernel's ip_tables (iptables-legacy, one namespace) and compiled by us and attached
 * (another), with the same datagrams out of both: the same get out, and iptables-save -c prints the
 * same counters. The table fills past ip_list_tot addresses (the kernel evicts its least recently
 * recorded one), --update records only when it matches, --remove, an inverted --rdest check with a
 * /16 mask.
 */
@Timeout(120)
class RecentDifferentialTest {
  private static final String TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          "-A OUTPUT -p udp --dport 1 -m recent --set --name F",
          "-A OUTPUT -p udp --dport 2 -m recent --rcheck --name F -j DROP",
          "-A OUTPUT -p udp --dport 3 -m recent --update --seconds 60 --hitcount 3 --name F -j DROP",
          "-A OUTPUT -p udp --dport 4 -m recent --remove --name F -j DROP",
          "-A OUTPUT -p udp --dport 5 -m recent ! --rcheck --rdest --mask 255.255.0.0 --name G -j"
              + " DROP",
          "-A OUTPUT -p udp --dport 6 -m recent --set --rdest --mask 255.255.0.0 --name G",
          "COMMIT",
          "");

  private static final int DST = addr(10, 9, 0, 1);

  private static byte[] from(int src, int dport) {
    return Packets.udp(src, DST, 4000, dport);
  }

  private static int source(int i) {
    return addr(10, 7, i / 256, i % 256);
  }

  @Test
  void theSameDatagramsGetOutAndTheCountersAgree() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    int tot = RecentParams.running().ipListTot();
    List<byte[]> p = new ArrayList<>();
    for (int i = 0; i < tot; i++) {
      p.add(from(source(i), 1));
    }
    p.add(from(source(0), 1)); // the first becomes the most recent
    p.add(from(source(1), 2)); // an rcheck is no use
    p.add(from(addr(10, 8, 0, 1), 1)); // full: source 1 goes
    for (int s : new int[] {source(1), source(0), addr(10, 8, 0, 1), source(2)}) {
      p.add(from(s, 2));
    }
    for (int i = 0; i < 3; i++) {
      p.add(from(source(5), 3)); // one stamp: no match, nothing recorded
    }
    p.add(from(source(5), 1));
    p.add(from(source(5), 1));
    p.add(from(source(5), 3)); // three: matches and records
    p.add(from(source(5), 4));
    p.add(from(source(5), 4));
    p.add(from(source(5), 2));
    p.add(Packets.udp(source(9), addr(10, 20, 1, 1), 4000, 5));
    p.add(Packets.udp(source(9), addr(10, 20, 2, 2), 4000, 6));
    p.add(Packets.udp(source(9), addr(10, 20, 3, 3), 4000, 5));
    p.add(Packets.udp(source(9), addr(10, 21, 3, 3), 4000, 5));

    FilterBed.Sides s = FilterBed.againstKernel(TABLE, ns -> bits(ns.send(p)));
    String tail = s.kernelOut().substring(tot);
    assertThat(tail).as("the kernel's, after the fill").isEqualTo("10110001111100110110");
    s.assertOursAreTheKernels();
  }

  private static final String REAP_TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          "-A OUTPUT -p udp --dport 1 -m recent --set --name R",
          "-A OUTPUT -p udp --dport 2 -m recent --rcheck --seconds 1 --reap --name R -j DROP",
          "-A OUTPUT -p udp --dport 3 -m recent --rcheck --name R -j DROP",
          "-A OUTPUT -p udp --dport 4 -m recent ! --update --seconds 1 --reap --name R -j DROP",
          "COMMIT",
          "");

  /**
   * --reap removes the least recently recorded entry once its newest stamp is out of the window,
   * the checked entry too, but not one an --update (here inverted) is about to record into.
   */
  @Test
  void reapRemovesTheOldestEntryAsTheKernel() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    int a = source(1);
    int b = source(2);
    int c = source(3);
    List<byte[]> first = List.of(from(a, 1), from(b, 1), from(c, 1));
    List<byte[]> second =
        List.of(
            from(c, 2), // c's stamp is out of the window: no match; the head, a, is reaped
            from(a, 3),
            from(b, 3),
            from(b, 4), // no recent stamp: the inverted update records; b, the head, stays
            from(c, 2), // c is the head now, and is reaped
            from(c, 3),
            from(b, 3));
    FilterBed.Sides s = FilterBed.againstKernel(REAP_TABLE, ns -> twoRounds(ns, first, second));
    assertThat(s.kernelOut()).as("the kernel's").isEqualTo("111 1100110");
    s.assertOursAreTheKernels();
  }

  private static final String TTL_TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          "-A OUTPUT -p udp --dport 1 -m recent --set --name T",
          "-A OUTPUT -p udp --dport 2 -m recent --rcheck --rttl --name T -j DROP",
          "-A OUTPUT -p udp --dport 3 -m recent ! --update --rttl --hitcount 2 --name T -j DROP",
          "COMMIT",
          "");

  /**
   * --rttl on packets with a socket of the namespace (the sender's raw socket): the header's ttl,
   * not one more, is recorded and compared.
   */
  @Test
  void rttlFindsOnlyTheRecordedTtlAsTheKernel() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    int a = source(1);
    List<byte[]> p =
        List.of(
            RecentProgramTest.withTtl(from(a, 1), 64),
            RecentProgramTest.withTtl(from(a, 2), 64),
            RecentProgramTest.withTtl(from(a, 2), 63),
            RecentProgramTest.withTtl(from(a, 3), 63), // not found: inverted true, nothing made
            RecentProgramTest.withTtl(from(a, 3), 64), // found, one stamp: true, records 64
            RecentProgramTest.withTtl(from(a, 3), 64), // two stamps: false
            RecentProgramTest.withTtl(from(a, 1), 30),
            RecentProgramTest.withTtl(from(a, 2), 64),
            RecentProgramTest.withTtl(from(a, 2), 30));
    FilterBed.Sides s = FilterBed.againstKernel(TTL_TABLE, ns -> bits(ns.send(p)));
    assertThat(s.kernelOut()).as("the kernel's").isEqualTo("101001110");
    s.assertOursAreTheKernels();
  }

  /** The first packets, then, once their stamps are out of a one-second window, the second. */
  private static String twoRounds(TestNetns ns, List<byte[]> first, List<byte[]> second)
      throws Exception {
    String one = bits(ns.send(first));
    Thread.sleep(1300); // time itself is what the test waits for: 1 s of jiffies and a margin
    return one + " " + bits(ns.send(second));
  }

  private static String bits(boolean[] sent) {
    StringBuilder s = new StringBuilder();
    for (boolean b : sent) {
      s.append(b ? '1' : '0');
    }
    return s.toString();
  }
}

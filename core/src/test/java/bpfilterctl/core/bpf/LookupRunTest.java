package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.FilterProgramTest.A;
import static bpfilterctl.core.bpf.FilterProgramTest.ACCEPT;
import static bpfilterctl.core.bpf.FilterProgramTest.B;
import static bpfilterctl.core.bpf.FilterProgramTest.C;
import static bpfilterctl.core.bpf.FilterProgramTest.DROP;
import static bpfilterctl.core.bpf.FilterProgramTest.IN;
import static bpfilterctl.core.bpf.FilterProgramTest.OUT;
import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Runs of same-shape rules compiled as one hash lookup (here from two rules on): verdicts and
 * counters are ipt_do_table's (first match wins, per-entry counters, hotdrops, misses going on),
 * and equal to those of the same table compiled rule by rule (eager and accumulated tests).
 */
@Timeout(120)
class LookupRunTest {
  FilterBed bed;

  @BeforeEach
  void setUp() {
    FilterBed.assumeBpf();
    bed = new FilterBed().minRun(2);
  }

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  @Test
  void firstMatchWinsAmongDuplicatesAndCountsThatEntry() throws Exception {
    bed.rules(
            "-A INPUT -s 10.0.0.1 -p udp --dport 1 -j ACCEPT",
            "-A INPUT -s 10.0.0.1 -p udp --dport 1 -j DROP",
            "-A INPUT -s 10.0.0.2 -p udp --dport 1 -j DROP",
            "-A INPUT -s 10.0.0.1 -p udp --dport 2 -j DROP",
            "-P INPUT DROP")
        .load();
    assertThat(bed.compiled.lookups().count()).as("3 distinct keys, 2 hotdrop keys").isEqualTo(5);
    byte[] p = Packets.udp(A, C, 9, 1);
    assertThat(bed.verdict(IN, p)).isEqualTo(ACCEPT);
    assertThat(bed.counter(0)).containsExactly(1, p.length);
    assertThat(bed.counter(1)).containsExactly(0, 0);
    assertThat(bed.verdict(IN, Packets.udp(B, C, 9, 1))).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(A, C, 9, 2))).isEqualTo(DROP);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(A, C, 9, 3))).as("miss: the policy").isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.tcp(A, C, 9, 1, 0))).as("tcp: miss").isEqualTo(DROP);
    assertThat(bed.counter(4)[0]).as("policy").isEqualTo(2);
  }

  @Test
  void aRunBetweenLinearRulesFallsThroughOnAMiss() throws Exception {
    bed.rules(
            "-A INPUT -p udp --dport 100:200 -j ACCEPT",
            "-A INPUT -d 10.0.0.2 -p tcp --sport 7 --dport 22 -j DROP",
            "-A INPUT -d 10.0.0.2 -p tcp --sport 7 --dport 23 -j ACCEPT",
            "-A INPUT -d 10.0.0.3 -p tcp --sport 7 --dport 22 -j DROP",
            "-A INPUT -p tcp ! --dport 22 -j DROP",
            "-A INPUT -p tcp -j ACCEPT",
            "-P INPUT DROP")
        .load();
    assertThat(bed.compiled.lookups().count()).isPositive();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 7, 150))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 7, 22, 0x10))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 7, 23, 0x10))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 8, 22, 0x10)))
        .as("sport differs: past the run, ! --dport 22 fails, -p tcp accepts")
        .isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 8, 24, 0x10))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.counter(3)[0]).isZero();
    assertThat(bed.counter(4)[0]).isEqualTo(1);
    assertThat(bed.counter(5)[0]).isEqualTo(1);
  }

  @Test
  void masksAndProtocolsWithoutPorts() throws Exception {
    bed.rules(
            "-A OUTPUT -s 10.1.0.0/16 -d 10.2.0.0/24 -p 47 -j DROP",
            "-A OUTPUT -s 10.1.0.0/16 -d 10.2.1.0/24 -p udp -j ACCEPT",
            "-A OUTPUT -s 10.3.0.0/16 -d 10.2.0.0/24 -p udp -j DROP",
            "-P OUTPUT DROP")
        .load();
    assertThat(
            bed.verdict(OUT, Packets.ip(addr(10, 1, 9, 9), addr(10, 2, 0, 7), 47, 0, new byte[8])))
        .isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(OUT, Packets.udp(addr(10, 1, 200, 1), addr(10, 2, 1, 255), 1, 2)))
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    // -p udp without the udp match: a udp fragment or a truncated header still matches
    assertThat(
            bed.verdict(
                OUT, Packets.ip(addr(10, 1, 0, 1), addr(10, 2, 1, 1), Packets.UDP, 1, new byte[2])))
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(3)[0]).isEqualTo(2);
    assertThat(bed.verdict(OUT, Packets.udp(addr(10, 4, 0, 1), addr(10, 2, 0, 1), 1, 2)))
        .isEqualTo(DROP);
    assertThat(bed.counter(5)[0]).as("policy").isEqualTo(1);
  }

  @Test
  void transportRunsHotdropUnreadableHeadersOnlyWhereAnAddressMatches() throws Exception {
    bed.rules(
            "-A INPUT -s 10.0.0.1 -p udp --dport 1 -j ACCEPT",
            "-A INPUT -s 10.0.0.2 -p udp --dport 1 -j ACCEPT",
            "-A INPUT -s 10.0.0.1 -p tcp --dport 5 -j ACCEPT",
            "-A INPUT -s 10.0.0.2 -p tcp --dport 5 -j ACCEPT",
            "-A INPUT -j ACCEPT")
        .load();
    // a tcp header of 12 bytes: ports readable, but tcp hotdrops (the key's ports are cleared)
    byte[] tcp12 = new byte[12];
    tcp12[3] = 9;
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.TCP, 0, tcp12))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.ip(C, B, Packets.TCP, 0, tcp12))).isEqualTo(ACCEPT);
    byte[] cutFromA = Packets.ip(A, B, Packets.UDP, 0, new byte[4]);
    byte[] cutFromC = Packets.ip(C, B, Packets.UDP, 0, new byte[4]);
    byte[] fragmentFromA = Packets.ip(A, B, Packets.UDP, 1, new byte[4]);
    assertThat(bed.verdict(IN, cutFromA)).as("hotdrop").isEqualTo(DROP);
    assertThat(bed.verdict(IN, cutFromC)).as("no address matches").isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, fragmentFromA)).as("a fragment fails the match").isEqualTo(ACCEPT);
    assertThat(bed.counter(0)[0]).isZero();
    assertThat(bed.counter(1)[0]).isZero();
    assertThat(bed.counter(2)[0]).isZero();
    assertThat(bed.counter(3)[0]).isZero();
    assertThat(bed.counter(4)[0]).isEqualTo(3);
  }

  @Test
  void runsInSevenNestedChainsFitTheStack() throws Exception {
    List<String> rules = new java.util.ArrayList<>();
    for (int c = 1; c <= 7; c++) {
      rules.add("-N c" + c);
    }
    rules.add("-A INPUT -j c1");
    for (int c = 1; c <= 7; c++) {
      rules.add("-A c" + c + " -s 10.0.0." + c + " -p udp --dport 1 -j DROP");
      rules.add("-A c" + c + " -s 10.0.0." + (c + 10) + " -p udp --dport 1 -j DROP");
      if (c < 7) {
        rules.add("-A c" + c + " -j c" + (c + 1));
      }
    }
    bed.rules(rules.toArray(String[]::new)).load();
    assertThat(bed.compiled.lookups().count())
        .as("7 runs of 2 keys and 2 hotdrop keys")
        .isEqualTo(28);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 17), B, 9, 1))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 17), B, 9, 2))).isEqualTo(ACCEPT);
  }

  @Test
  void randomTablesGiveTheSameVerdictsAndCountersAsRuleByRule() throws Exception {
    int grouped = 0;
    for (int seed = 1; seed <= 30; seed++) {
      RandomFilter gen = new RandomFilter(seed);
      String table = gen.table();
      List<byte[]> packets = gen.packets(80);
      try (FilterBed linear = restored(table).minRun(0);
          FilterBed accumulated = restored(table).minRun(0).accumulated();
          FilterBed lookups = restored(table).minRun(2)) {
        linear.load();
        accumulated.load();
        lookups.load();
        grouped += lookups.compiled.lookups().count() > 0 ? 1 : 0;
        for (byte[] p : packets) {
          int expected = linear.verdict(OUT, p);
          assertThat(lookups.verdict(OUT, p)).as("seed %d:\n%s", seed, table).isEqualTo(expected);
          assertThat(accumulated.verdict(OUT, p))
              .as("accumulated, seed %d:\n%s", seed, table)
              .isEqualTo(expected);
        }
        for (int i = 0; i < linear.table.size(); i++) {
          assertThat(accumulated.counter(i))
              .as("accumulated, entry %d, seed %d", i, seed)
              .containsExactly(linear.counter(i));
          assertThat(lookups.counter(i))
              .as("entry %d, seed %d", i, seed)
              .containsExactly(linear.counter(i));
        }
      }
    }
    assertThat(grouped).as("tables with runs").isGreaterThan(5);
  }

  private static FilterBed restored(String table) throws Exception {
    return new FilterBed().restore(table);
  }
}

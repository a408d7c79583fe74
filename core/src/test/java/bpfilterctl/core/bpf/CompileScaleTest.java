package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.sys.Bpf;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sizes and speeds of compiled tables of simple rules ({@code -s A/32 -p udp --dport N -j DROP},
 * none matching the test packet), rule by rule and with lookups: instructions per rule, what the
 * verifier accepts, and test-run time per packet. Bigger tables: -Dbpf.scale=10000,50000. verify
 * loads 2,000 mixed and 10,000 simple rules; 10,000 mixed and 50,000 simple are soaks.
 */
@Timeout(600)
class CompileScaleTest {
  static final int IN = 1;

  static String rules(int n) {
    StringBuilder t = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n");
    t.append(":OUTPUT ACCEPT [0:0]\n");
    for (int i = 0; i < n; i++) {
      t.append("-A INPUT -s 10.")
          .append(100 + i / 65536)
          .append('.')
          .append((i / 256) % 256)
          .append('.')
          .append(i % 256)
          .append("/32 -p udp -m udp --dport ")
          .append(1 + i % 60000)
          .append(" -j DROP\n");
    }
    return t.append("COMMIT\n").toString();
  }

  /**
   * {@code n} rules of four shapes in turn (no two neighbours alike, so no run forms): addresses,
   * ports, a port range, an inverted address with a protocol.
   */
  static String mixedRules(int n) {
    StringBuilder t = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n");
    t.append(":OUTPUT ACCEPT [0:0]\n");
    for (int i = 0; i < n; i++) {
      String a = "10." + (100 + i / 65536) + "." + (i / 256) % 256 + "." + i % 256;
      t.append("-A INPUT ")
          .append(
              switch (i % 4) {
                case 0 -> "-s " + a + " -p udp -m udp --dport " + (1 + i % 60000);
                case 1 -> "-d " + a + " -p tcp -m tcp --sport " + (1 + i % 60000);
                case 2 -> "-s " + a + "/24 -p udp -m udp --dport 1:" + (2 + i % 60000);
                default -> "! -s " + a + " -p tcp -m tcp --dport " + (1 + i % 60000);
              })
          .append(i % 3 == 0 ? " -j ACCEPT\n" : " -j DROP\n");
    }
    return t.append("COMMIT\n").toString();
  }

  static FilterBed bed(int n) throws Exception {
    return bed(rules(n), FilterCompiler.DEFAULT_MIN_RUN);
  }

  static FilterBed bed(String table, int minRun) throws Exception {
    return new FilterBed().minRun(minRun).restore(table);
  }

  @Test
  void instructionsPerSimpleRule() throws Exception {
    FilterBed.assumeBpf();
    int base;
    try (FilterBed empty = bed(0)) {
      empty.load();
      base = empty.program(IN).size();
    }
    double linear;
    double grouped;
    try (FilterBed b = bed(rules(1000), 0)) {
      b.load();
      linear = (b.program(IN).size() - base) / 1000.0;
    }
    try (FilterBed b = bed(1000)) {
      b.load();
      grouped = (b.program(IN).size() - base) / 1000.0;
    }
    System.out.printf(
        "instructions: prologue+policy %d, per simple rule %.2f rule by rule, %.3f as one lookup%n",
        base, linear, grouped);
    assertThat(linear).isLessThan(20);
    assertThat(grouped).isLessThan(0.1);
  }

  @Test
  void twoThousandRulesOfMixedShapesVerifyRuleByRule() throws Exception {
    mixedShapesVerifyRuleByRule(2_000);
  }

  @Test
  @Tag("soak")
  void tenThousandRulesOfMixedShapesVerifyRuleByRule() throws Exception {
    mixedShapesVerifyRuleByRule(10_000);
  }

  private static void mixedShapesVerifyRuleByRule(int n) throws Exception {
    FilterBed.assumeBpf();
    try (FilterBed b = bed(mixedRules(n), FilterCompiler.DEFAULT_MIN_RUN)) {
      long t0 = System.nanoTime();
      b.load();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(b.compiled.lookups().count()).as("no run forms").isZero();
      byte[] miss = Packets.udp(Packets.addr(192, 168, 1, 1), Packets.addr(10, 0, 0, 1), 5, 7);
      Bpf.TestRun r =
          FilterBed.BPF.testRun(
              b.progs.get(IN), Packets.frame(IN, miss), FilterBed.hookState(IN), 100);
      // the udp rules need a 10.100/16 source, the tcp ones do not apply: the policy accepts
      assertThat(r.retval()).isEqualTo(1);
      System.out.printf(
          "%d mixed rules: %d insns, compile+load+verify %d ms, test run %d ns/packet%n",
          n, b.program(IN).size(), ms, r.durationNs());
    }
  }

  @Test
  void tenThousandSimpleRulesLoadWithLookups() throws Exception {
    simpleRulesLoadWithLookups(10_000);
  }

  @Test
  @Tag("soak")
  void fiftyThousandSimpleRulesLoadWithLookups() throws Exception {
    simpleRulesLoadWithLookups(50_000);
  }

  private static void simpleRulesLoadWithLookups(int n) throws Exception {
    FilterBed.assumeBpf();
    byte[] miss = Packets.udp(Packets.addr(192, 168, 1, 1), Packets.addr(10, 0, 0, 1), 5, 7);
    try (FilterBed b = bed(n)) {
      long t0 = System.nanoTime();
      b.load();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      // one key per rule, plus one hotdrop key per distinct source
      assertThat(b.compiled.lookups().count()).isEqualTo(2 * n);
      assertThat(b.verdict(IN, miss)).isEqualTo(1);
      byte[] hit =
          Packets.udp(
              Packets.addr(10, 100 + (n - 1) / 65536, ((n - 1) / 256) % 256, (n - 1) % 256),
              Packets.addr(10, 0, 0, 1),
              5,
              1 + (n - 1) % 60000);
      assertThat(b.verdict(IN, hit)).as("the last rule drops").isZero();
      assertThat(b.counter(n - 1)[0]).isEqualTo(1);
      System.out.printf(
          "%6d simple rules with lookups: %d insns, compile+load+verify %d ms%n",
          n, b.program(IN).size(), ms);
    }
  }

  @Test
  void testRunTimePerPacket() throws Exception {
    FilterBed.assumeBpf();
    byte[] miss = Packets.udp(Packets.addr(192, 168, 1, 1), Packets.addr(10, 0, 0, 1), 5, 7);
    String sizes = System.getProperty("bpf.scale", "10,100,1000");
    for (String s : sizes.split(",")) {
      int n = Integer.parseInt(s.trim());
      for (int minRun : new int[] {0, FilterCompiler.DEFAULT_MIN_RUN}) {
        try (FilterBed b = bed(rules(n), minRun)) {
          long t0 = System.nanoTime();
          b.load();
          long loadMs = (System.nanoTime() - t0) / 1_000_000;
          Bpf.TestRun r =
              FilterBed.BPF.testRun(
                  b.progs.get(IN), Packets.frame(IN, miss), FilterBed.hookState(IN), 2000);
          assertThat(r.retval()).isEqualTo(1); // no rule matches: the policy accepts
          System.out.printf(
              "%6d rules %-7s: %7d insns, compile+load+verify %5d ms, test run %7d ns/packet%n",
              n, minRun == 0 ? "linear" : "lookups", b.program(IN).size(), loadMs, r.durationNs());
        }
      }
    }
  }
}

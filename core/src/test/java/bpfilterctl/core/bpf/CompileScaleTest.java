package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.iptables.IptablesRestore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Sizes and speeds of compiled tables of simple rules ({@code -s A/32 -p udp --dport N -j DROP},
 * none matching the test packet): instructions per rule, what the verifier accepts, and test-run
 * time per packet. Bigger tables: -Dbpf.scale=10000,50000.
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

  static FilterBed bed(int n) throws Exception {
    FilterBed bed = new FilterBed();
    StringBuilder err = new StringBuilder();
    int rc =
        new IptablesRestore(bed.iptables)
            .run(
                new IptablesRestore.Options(false, false, false, 0, null, null),
                rules(n),
                new StringBuilder(),
                err);
    assertThat(rc).as("%s", err).isZero();
    return bed;
  }

  @Test
  void fewerThanSixteenInstructionsPerSimpleRule() throws Exception {
    FilterBed.assumeBpf();
    int base;
    try (FilterBed empty = bed(0)) {
      empty.load();
      base = empty.program(IN).size();
    }
    try (FilterBed b = bed(1000)) {
      b.load();
      double perRule = (b.program(IN).size() - base) / 1000.0;
      System.out.printf("instructions: prologue+policy %d, per simple rule %.2f%n", base, perRule);
      assertThat(perRule).isLessThan(16);
    }
  }

  @Test
  void testRunTimePerPacket() throws Exception {
    FilterBed.assumeBpf();
    byte[] miss = Packets.udp(Packets.addr(192, 168, 1, 1), Packets.addr(10, 0, 0, 1), 5, 7);
    String sizes = System.getProperty("bpf.scale", "10,100,1000");
    for (String s : sizes.split(",")) {
      int n = Integer.parseInt(s.trim());
      try (FilterBed b = bed(n)) {
        long t0 = System.nanoTime();
        b.load();
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        Bpf.TestRun r =
            FilterBed.BPF.testRun(
                b.progs.get(IN), Packets.frame(IN, miss), FilterBed.hookState(IN), 2000);
        assertThat(r.retval()).isEqualTo(1); // no rule matches: the policy accepts
        System.out.printf(
            "%6d rules: %7d insns, compile+load+verify %5d ms, test run %7d ns/packet%n",
            n, b.program(IN).size(), loadMs, r.durationNs());
      }
    }
  }
}

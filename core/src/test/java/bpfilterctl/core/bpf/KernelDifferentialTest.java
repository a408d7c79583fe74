package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same random filter table in the kernel's ip_tables (iptables-legacy, one namespace) and
 * compiled by us and attached (another namespace); the same packets sent from both through
 * LOCAL_OUT: the same packets get out, and iptables-save -c prints the same counters for every rule
 * and policy. Runs of four or more same-shape rules (RandomFilter makes some) compile as lookups;
 * odd seeds compile every entry with one jump (what big tables get), even seeds eagerly.
 */
@Timeout(900)
class KernelDifferentialTest {
  static final int SEEDS = Integer.getInteger("bpf.diff.seeds", 40);
  static final int PACKETS = 60;

  @Test
  void randomTablesAgreeWithIpTables() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    try (TestNetns kernel = TestNetns.create();
        TestNetns ours = TestNetns.create()) {
      for (TestNetns ns : List.of(kernel, ours)) {
        ns.ip("link", "set", "d0", "arp", "off"); // no neighbour resolution, no late ICMP errors
      }
      int dropped = 0;
      int delivered = 0;
      int withLookups = 0;
      for (int seed = 1; seed <= SEEDS; seed++) {
        RandomFilter gen = new RandomFilter(seed);
        String table = gen.table();
        List<byte[]> packets = gen.packets(PACKETS);
        TestNetns.Result restored = kernel.exec(table, "iptables-legacy-restore");
        assertThat(restored.rc())
            .as("kernel restore, seed %d:\n%s%s", seed, table, restored.err())
            .isZero();
        boolean[] kernelSent = kernel.send(packets);
        for (boolean sent : kernelSent) {
          dropped += sent ? 0 : 1;
          delivered += sent ? 1 : 0;
        }
        String kernelSave =
            FilterBed.withoutComments(
                kernel.exec("", "iptables-legacy-save", "-c", "-t", "filter").out());

        // runs of 4+ rules as lookups; odd seeds with accumulated tests (one jump per entry)
        try (FilterBed bed =
            seed % 2 == 0 ? new FilterBed().minRun(4) : new FilterBed().minRun(4).accumulated()) {
          bed.restore(table).load();
          withLookups += bed.compiled.lookups().count() > 0 ? 1 : 0;
          boolean[] ourSent;
          FilterBed.Links links = bed.attach(ours.path());
          try {
            ourSent = ours.send(packets);
          } finally {
            links.close();
          }
          String save = bed.saveWithCounters();
          assertThat(ourSent)
              .as("delivered, seed %d:\n%s", seed, table)
              .containsExactly(kernelSent);
          assertThat(save).as("counters, seed %d", seed).isEqualTo(kernelSave);
        }
      }
      // not vacuous: the tables dropped some packets and let others out
      assertThat(dropped).isPositive();
      assertThat(delivered).isPositive();
      assertThat(withLookups).as("seeds whose table has a lookup run").isPositive();
      System.out.printf(
          "%d seeds (%d with lookup runs): %d packets dropped, %d delivered%n",
          SEEDS, withLookups, dropped, delivered);
    }
  }
}

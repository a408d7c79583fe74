package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Concurrent "iptables-restore --noflush" runs (iptables' ipt-restore/0016-concurrent-restores),
 * here without the xtables lock, and their first commits wait for every first read, so that they do
 * collide: a block whose commit meets EAGAIN is read again on a fresh table and applied again, so
 * every run succeeds and every rule lands once.
 */
class ConcurrentRestoreTest {
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void concurrentNoflushRestoresAllLand() throws Exception {
    SerialEngine serial = new SerialEngine();
    AtomicInteger eagain = serial.eagain;
    int writers = 4;
    // every writer's first commit waits for the others' first read: they do collide
    Sockopts port = serial.collidingPort(writers);
    Iptables iptables = new Iptables(port, XtExtensions.standard(), Lookups.system());
    int each = 15;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<List<Outcome>>> results = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      results.add(
          pool.submit(
              () -> {
                OurFrontEnd ours = new OurFrontEnd(iptables);
                List<Outcome> outcomes = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  String block =
                      "*filter\n# a comment -v prints\n:FOO"
                          + writer
                          + " - [0:0]\n-A INPUT -s 10."
                          + writer
                          + ".0."
                          + (i + 1)
                          + " -j ACCEPT\n-A FOO"
                          + writer
                          + " -j DROP\nCOMMIT\n";
                  outcomes.add(ours.restore(block, "--noflush", "-v"));
                }
                return outcomes;
              }));
    }
    for (Future<List<Outcome>> f : results) {
      for (Outcome o : f.get()) {
        assertThat(o.status()).as(o.err()).isZero();
        assertThat(o.err()).isEmpty();
        // -v's lines once per run, however often its block was read
        assertThat(o.out()).isEqualTo("# a comment -v prints\n");
      }
    }
    pool.shutdown();
    List<String> rules =
        new OurFrontEnd(iptables)
            .iptables("-S")
            .out()
            .lines()
            .filter(l -> l.startsWith("-A"))
            .toList();
    // each FOOn chain is flushed by every later run of its writer: one DROP left in each
    assertThat(rules.stream().filter(l -> l.startsWith("-A INPUT")))
        .hasSize(writers * each)
        .doesNotHaveDuplicates();
    assertThat(rules.stream().filter(l -> l.startsWith("-A FOO"))).hasSize(writers);
    assertThat(eagain.get()).as("the restores did collide").isPositive();
  }
}

package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two writers appending to one table at once, as two shells on one daemon do: a replace built on a
 * table that changed since it was read gets EAGAIN from the module, and the command is applied
 * again on a fresh read, so no rule is lost and none is doubled.
 */
class ConcurrentIptablesTest {
  @Test
  void concurrentAppendsAllLand() throws Exception {
    SerialEngine serial = new SerialEngine();
    AtomicInteger eagain = serial.eagain;
    XtExtensions ext = XtExtensions.standard();
    Lookups lookups = Lookups.system();
    int writers = 4;
    // every writer's first commit waits for the others' first read: they do collide
    Sockopts port = serial.collidingPort(writers);
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    List<Future<List<Integer>>> results = new ArrayList<>();
    for (int w = 0; w < writers; w++) {
      int writer = w;
      results.add(
          pool.submit(
              () -> {
                Iptables iptables = new Iptables(port, ext, lookups);
                List<Integer> statuses = new ArrayList<>();
                for (int i = 0; i < each; i++) {
                  String src = "10." + writer + "." + (i / 250) + "." + (i % 250 + 1);
                  statuses.add(
                      iptables.run(
                          List.of("-A", "INPUT", "-s", src, "-j", "ACCEPT"),
                          new StringBuilder(),
                          new StringBuilder()));
                }
                return statuses;
              }));
    }
    for (Future<List<Integer>> f : results) {
      assertThat(f.get()).containsOnly(0);
    }
    pool.shutdown();
    StringBuilder out = new StringBuilder();
    new Iptables(port, ext, lookups).run(List.of("-S", "INPUT"), out, new StringBuilder());
    List<String> rules = out.toString().lines().filter(l -> l.startsWith("-A")).toList();
    assertThat(rules).hasSize(writers * each).doesNotHaveDuplicates();
    assertThat(eagain.get()).as("the writers did collide").isPositive();
  }
}

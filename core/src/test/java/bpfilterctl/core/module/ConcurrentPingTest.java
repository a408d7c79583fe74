package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Many callers at once while the umh is killed at random: every call either gets its own reply (the
 * echo umh returns each caller's unique buffer) or a host error; nothing is lost or misrouted.
 */
class ConcurrentPingTest {
  private static final int THREADS = 8;
  private static final int CALLS = 10_000;

  @Test
  void eightThreadsOfPingsSurviveRandomKills() throws Exception {
    HostConfig cfg =
        TestImages.quick(TestImages.faulty("echo"))
            .startLimit(1000, Duration.ofSeconds(30))
            .backoff(Duration.ofMillis(1), Duration.ofMillis(10))
            .requestTimeout(Duration.ofSeconds(5))
            .build();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicLong misrouted = new AtomicLong();
    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        Thread th =
            new Thread(
                () -> {
                  for (int i = 0; i < CALLS; i++) {
                    byte[] mine = ByteBuffer.allocate(8).putInt(id).putInt(i).array();
                    try {
                      MboxReply r = host.call(new MboxRequest(0, false, 64, id, mine));
                      if (Arrays.equals(r.payload(), mine)) {
                        ok.incrementAndGet();
                      } else {
                        misrouted.incrementAndGet();
                      }
                    } catch (ModuleException e) {
                      failed.incrementAndGet();
                    }
                  }
                });
        th.start();
        threads.add(th);
      }
      Random rnd = new Random(42);
      int kills = 0;
      while (threads.stream().anyMatch(Thread::isAlive) && kills < 8) {
        Thread.sleep(200 + rnd.nextInt(300));
        int pid = host.status().umhPid();
        if (pid > 0) {
          new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
          kills++;
        }
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(kills).isPositive();
      assertThat(misrouted.get()).isZero();
      assertThat(ok.get() + failed.get()).isEqualTo((long) THREADS * CALLS);
      assertThat(failed.get()).isLessThanOrEqualTo(host.status().errors());
      assertThat(host.status().restarts()).isGreaterThanOrEqualTo(1);
    }
  }
}

package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Issue 17, item 12: an idle host sleeps until there is work (it woke ~400 times a second). */
@Timeout(60)
class IdleWakeupsTest {
  /**
   * Voluntary context switches of this process's module-* threads (the supervisor and deadline
   * threads): each is a wake-up that went back to sleep. Involuntary ones are preemptions, which a
   * loaded machine multiplies without the host doing anything more.
   */
  private static long moduleThreadSwitches() throws IOException {
    long sum = 0;
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          if (!Files.readString(t.resolve("comm")).startsWith("module-")) {
            continue;
          }
          for (String l : Files.readAllLines(t.resolve("status"))) {
            if (l.startsWith("voluntary_ctxt_switches:")) {
              sum += Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
            }
          }
        } catch (IOException e) {
          // a thread that ended meanwhile
        }
      }
    }
    return sum;
  }

  @Test
  void anIdleHostWithItsWatchdogWakesAFewTimesASecondNotHundreds() throws Exception {
    Require.that(Files.isDirectory(Path.of("/proc/self/task")), "needs /proc");
    HostConfig cfg =
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ofSeconds(1))
            .build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      assertThat(host.ping().status()).isZero();
      long before = moduleThreadSwitches();
      long framesBefore = host.tap().published();
      Thread.sleep(3000); // the window measured: nothing happens in it but the watchdog
      long woke = moduleThreadSwitches() - before;
      assertThat(host.tap().published() - framesBefore)
          .as("frames of watchdog pings in 3 s (2 each): the supervisor still works")
          .isBetween(4L, 8L);
      // One watchdog ping a second wakes each thread a couple of times; ticking at 5 ms was 1,200.
      assertThat(woke).as("module thread wake-ups in 3 s").isLessThan(40);
      assertThat(host.state()).isEqualTo(ModuleState.HEALTHY);
    }
  }
}

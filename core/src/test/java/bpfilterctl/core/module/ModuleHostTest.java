package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.uapi.Errno;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ModuleHostTest {
  private static long baselinePipes;

  @BeforeAll
  static void warmUp() throws Exception {
    // The first load opens jars and libraries for good; count fds after that.
    try (ModuleHost h = new ModuleHost(TestImages.quick(TestImages.real()).build())) {
      h.load();
      h.ping();
    }
    baselinePipes = ProcessChecks.openPipeCount();
  }

  @Test
  void loadPingUnloadReapsTheUmhAndLeaksNoFd() throws Exception {
    try (ModuleHost host = new ModuleHost(TestImages.quick(TestImages.real()).build())) {
      int pid = host.load();
      assertThat(host.state()).isEqualTo(ModuleState.HEALTHY);
      assertThat(ProcessChecks.state(pid)).isNotEqualTo((char) 0);
      assertThat(ProcessChecks.pipeFdsOf(pid))
          .as("no pipe but its own three")
          .containsExactly(0, 1, 2);
      assertThat(host.ping().status()).isZero();
      ModuleStatus st = host.status();
      assertThat(st.umhPid()).isEqualTo(pid);
      assertThat(st.starts()).isEqualTo(1);
      assertThat(st.requests()).isEqualTo(1);
      assertThat(st.p50RttNanos()).isPositive();
      assertThat(st.rssBytes()).isPositive();
      assertThat(st.imageSha256()).hasSize(64);
      assertThat(host.load()).as("load of a healthy module is a no-op").isEqualTo(pid);
      host.unload();
      assertThat(host.state()).isEqualTo(ModuleState.UNLOADED);
      assertThat(ProcessChecks.gone(pid)).as("reaped, not a zombie").isTrue();
      assertThat(host.status().lastExit().status()).isEqualTo(new ExitStatus(0, 0));
      assertThatThrownBy(host::ping)
          .isInstanceOfSatisfying(
              ModuleException.class,
              e -> assertThat(e.kind()).isEqualTo(ModuleException.Kind.NOT_LOADED));
    }
    assertThat(ProcessChecks.openPipeCount()).isEqualTo(baselinePipes);
  }

  @Test
  void theSkeletonAnswersEveryOptionWithEnoprotoopt() throws Exception {
    try (ModuleHost host =
        new ModuleHost(
            TestImages.quick(TestImages.real(List.of("--engine", "skeleton"))).build())) {
      host.load();
      MboxReply r = host.call(new MboxRequest(0, false, 64, 1, new byte[84]));
      assertThat(r.status()).isEqualTo(Errno.ENOPROTOOPT.status());
      assertThat(host.state()).isEqualTo(ModuleState.HEALTHY);
    }
  }

  @Test
  void anOversizedPayloadIsRefusedAndTheStreamStaysInSync() throws Exception {
    try (ModuleHost host =
        new ModuleHost(
            TestImages.quick(
                    TestImages.real(List.of("--engine", "skeleton", "--max-payload", "1000")))
                .build())) {
      host.load();
      MboxReply big = host.call(new MboxRequest(0, true, 64, 1, new byte[200_000]));
      assertThat(big.status()).isEqualTo(Errno.E2BIG.status());
      assertThat(host.ping().status()).isZero();
      MboxReply small = host.call(new MboxRequest(0, true, 64, 1, new byte[100]));
      assertThat(small.status()).isEqualTo(Errno.ENOPROTOOPT.status());
    }
  }

  @Test
  void aKilledUmhIsNoticedAtOnceAndRestartsOnTheNextRequest() throws Exception {
    try (ModuleHost host = new ModuleHost(TestImages.quick(TestImages.real()).build())) {
      int pid = host.load();
      new ProcessBuilder("kill", "-9", Integer.toString(pid)).start().waitFor();
      assertThat(waitForState(host, ModuleState.RESTARTING, 2000)).isTrue();
      ModuleStatus st = host.status();
      assertThat(st.lastExit().pid()).isEqualTo(pid);
      assertThat(st.lastExit().status().signal()).isEqualTo(9);
      assertThat(ProcessChecks.gone(pid)).isTrue();
      assertThat(host.ping().status()).isZero();
      assertThat(host.status().restarts()).isEqualTo(1);
      assertThat(host.status().umhPid()).isNotEqualTo(pid);
    }
  }

  @Test
  void theWatchdogCatchesAHungUmhAndRestartsIt() throws Exception {
    // Request 0 is the handshake, 1 the first watchdog ping, 2 the second: it hangs there.
    HostConfig cfg =
        TestImages.quick(TestImages.faulty("hang", "2"))
            .watchdogInterval(Duration.ofMillis(100))
            .requestTimeout(Duration.ofMillis(300))
            .startLimit(50, Duration.ofSeconds(30))
            .build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      int first = host.load();
      long end = System.currentTimeMillis() + 5000;
      while (host.status().restarts() < 1 && System.currentTimeMillis() < end) {
        Thread.sleep(20);
      }
      ModuleStatus st = host.status();
      assertThat(st.restarts()).isGreaterThanOrEqualTo(1);
      assertThat(st.timeouts()).isGreaterThanOrEqualTo(1);
      assertThat(st.lastExit().pid()).isEqualTo(first);
      assertThat(st.lastExit().reason()).isEqualTo("killed: timeout");
      assertThat(ProcessChecks.waitGone(first, 2000)).isTrue();
    }
  }

  @Test
  void theStartLimitEndsInFailedUntilAnExplicitLoad() throws Exception {
    // Dies at its first request after the handshake: every restart fails again.
    HostConfig cfg =
        TestImages.quick(TestImages.faulty("die", "1"))
            .startLimit(3, Duration.ofSeconds(30))
            .build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      int died = 0;
      ModuleException last = null;
      for (int i = 0; i < 10 && host.state() != ModuleState.FAILED; i++) {
        try {
          host.ping();
        } catch (ModuleException e) {
          died++;
          last = e;
        }
      }
      assertThat(host.state()).isEqualTo(ModuleState.FAILED);
      assertThat(host.status().starts()).isEqualTo(3);
      assertThat(died).isGreaterThanOrEqualTo(3);
      assertThat(last.getMessage()).contains("start limit");
      assertThatThrownBy(host::ping)
          .isInstanceOfSatisfying(
              ModuleException.class,
              e -> assertThat(e.kind()).isEqualTo(ModuleException.Kind.FAILED));
      host.load();
      assertThat(host.state()).isEqualTo(ModuleState.HEALTHY);
    }
  }

  @Test
  void backoffDoublesBetweenRestarts() {
    RestartPolicy p =
        new RestartPolicy(Duration.ofMillis(100), Duration.ofSeconds(5), 5, Duration.ofSeconds(30));
    assertThat(p.backoffNanos()).isZero();
    long[] expectMillis = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
    for (long ms : expectMillis) {
      p.recordFailure(0);
      assertThat(p.backoffNanos()).isEqualTo(Duration.ofMillis(ms).toNanos());
    }
    p.recordFailure(Duration.ofSeconds(6).toNanos());
    assertThat(p.backoffNanos()).as("a long run resets the backoff").isEqualTo(100_000_000L);
    for (int i = 0; i < 5; i++) {
      assertThat(p.mayStart(i)).isTrue();
      p.recordStart(i);
    }
    assertThat(p.mayStart(10)).isFalse();
    assertThat(p.mayStart(Duration.ofSeconds(30).toNanos())).isTrue();
  }

  @Test
  void unloadKillsAUmhThatIgnoresEof() throws Exception {
    try (ModuleHost host =
        new ModuleHost(TestImages.quick(TestImages.faulty("ignore-eof")).build())) {
      int pid = host.load();
      long t0 = System.nanoTime();
      host.unload();
      long tookMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(tookMs).isBetween(900L, 4000L);
      assertThat(host.status().lastExit().status().signal()).isEqualTo(9);
      assertThat(ProcessChecks.gone(pid)).isTrue();
    }
  }

  static boolean waitForState(ModuleHost host, ModuleState s, long millis)
      throws InterruptedException {
    long end = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < end) {
      if (host.state() == s) {
        return true;
      }
      Thread.sleep(5);
    }
    return host.state() == s;
  }
}

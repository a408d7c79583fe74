package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import bpfilterctl.core.mbox.MboxRequest;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each way a umh can misbehave: the caller gets the documented error, the host reaches the
 * documented state, no zombie and no leaked fd remain, and the next load (of the real umh) works.
 */
class FaultInjectionTest {
  private static long baselinePipes;

  @BeforeAll
  static void warmUp() throws Exception {
    try (ModuleHost h = new ModuleHost(TestImages.quick(TestImages.faulty("echo")).build())) {
      h.load();
      h.ping();
    }
    baselinePipes = ProcessChecks.openPipeCount();
  }

  static Stream<Arguments> loadFaults() {
    return Stream.of(
        Arguments.of(new String[] {"exit", "3"}, "exited with 3", "faulty umh mode exit"),
        Arguments.of(
            new String[] {"silent"}, "did not answer within 1000 ms", "killed by signal 9"),
        Arguments.of(new String[] {"status", "-1"}, "answered the handshake with -1", "SIGKILL"),
        Arguments.of(new String[] {"short"}, "sent a short reply (2 of 4 bytes)", "exited with 3"));
  }

  @ParameterizedTest(name = "load fails when the umh does: {0}")
  @MethodSource("loadFaults")
  void aBadHandshakeFailsTheLoad(String[] mode, String what, String more) throws Exception {
    // Only the silent umh is meant to time out; the others fail at once, whatever the deadline.
    Duration timeout = mode[0].equals("silent") ? Duration.ofMillis(1000) : Duration.ofSeconds(30);
    HostConfig cfg = TestImages.quick(TestImages.faulty(mode)).handshakeTimeout(timeout).build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      ModuleException e = catchThrowableOfType(ModuleException.class, host::load);
      assertThat(e.kind()).isEqualTo(ModuleException.Kind.START_FAILED);
      assertThat(e.getMessage()).contains(what).contains(more);
      assertThat(host.state()).isEqualTo(ModuleState.FAILED);
      LastExit last = host.status().lastExit();
      assertThat(ProcessChecks.gone(last.pid())).as("reaped").isTrue();
    }
    assertThat(ProcessChecks.openPipeCount()).isEqualTo(baselinePipes);
    nextLoadWorks();
  }

  static Stream<Arguments> requestFaults() {
    return Stream.of(
        Arguments.of(new String[] {"die", "2"}, ModuleException.Kind.UMH_DIED, "exited with 7"),
        Arguments.of(
            new String[] {"hang", "2"}, ModuleException.Kind.TIMEOUT, "did not answer within"),
        Arguments.of(
            new String[] {"toolong", "2"},
            ModuleException.Kind.PROTOCOL,
            "announced a 108-byte reply where at most 8 are allowed"));
  }

  @ParameterizedTest(name = "the second request fails when the umh does: {0}")
  @MethodSource("requestFaults")
  void aFaultInARequestKillsTheUmhAndFailsThatRequest(
      String[] mode, ModuleException.Kind kind, String what) throws Exception {
    // Only the hanging umh is meant to time out: its deadline is short, yet long enough for the
    // first request's answer on a loaded machine.
    Duration timeout = mode[0].equals("hang") ? Duration.ofSeconds(3) : Duration.ofSeconds(30);
    HostConfig cfg = TestImages.quick(TestImages.faulty(mode)).requestTimeout(timeout).build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      int pid = host.load();
      byte[] in = {1, 2, 3, 4, 5, 6, 7, 8};
      assertThat(host.call(new MboxRequest(0, false, 64, 1, in)).status()).isZero();
      ModuleException e =
          catchThrowableOfType(
              ModuleException.class, () -> host.call(new MboxRequest(0, false, 64, 1, in)));
      assertThat(e.kind()).isEqualTo(kind);
      assertThat(e.getMessage()).contains(what).contains("umh " + pid);
      assertThat(host.state()).isEqualTo(ModuleState.RESTARTING);
      assertThat(host.status().errors()).isEqualTo(1);
      assertThat(host.status().timeouts()).isEqualTo(kind == ModuleException.Kind.TIMEOUT ? 1 : 0);
      assertThat(ProcessChecks.gone(pid)).isTrue();
    }
    assertThat(ProcessChecks.openPipeCount()).isEqualTo(baselinePipes);
    nextLoadWorks();
  }

  @Test
  void aUmhFloodingStderrKeepsTheLogBoundedAndStillAnswers() throws Exception {
    HostConfig cfg = TestImages.quick(TestImages.faulty("flood")).buffers(1000, 64, 1024).build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      assertThat(host.ping().status()).isZero();
      long end = System.currentTimeMillis() + 10_000;
      while (host.log().dropped() < 199_000 && System.currentTimeMillis() < end) {
        Thread.sleep(20);
      }
      assertThat(host.log().lines()).hasSize(1000);
      assertThat(host.log().dropped()).isGreaterThanOrEqualTo(199_000);
      assertThat(host.log().lines())
          .allSatisfy(l -> assertThat(l.text().length()).isLessThanOrEqualTo(4097));
    }
    assertThat(ProcessChecks.openPipeCount()).isEqualTo(baselinePipes);
  }

  private static void nextLoadWorks() throws Exception {
    try (ModuleHost host = new ModuleHost(TestImages.quick(TestImages.faulty("echo")).build())) {
      host.load();
      assertThat(host.ping().status()).isZero();
    }
  }
}

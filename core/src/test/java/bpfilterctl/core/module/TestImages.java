package bpfilterctl.core.module;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Umh images and host configurations for tests: the real umh and the faulty one. */
final class TestImages {
  private TestImages() {}

  static UmhImage real() {
    return UmhImage.embedded(List.of());
  }

  static UmhImage real(List<String> args) {
    return UmhImage.embedded(args);
  }

  static UmhImage faulty(String... args) {
    Path tests = UmhImage.codeSourceOf(FaultyUmh.class);
    return UmhImage.javaMain(List.of(tests), FaultyUmh.class.getName(), List.of(args));
  }

  /** The fake table umh (TableFakeUmh), fast to start: for the tests of what a host saves. */
  static UmhImage fakeTables() {
    return UmhImage.javaMain(
        List.of(UmhImage.codeSourceOf(TableFakeUmh.class)),
        TableFakeUmh.class.getName(),
        List.of());
  }

  /** Short timeouts and backoffs so that failure tests run fast; watchdog off. */
  static HostConfig.Builder quick(UmhImage image) {
    return HostConfig.builder(image)
        // Generous: a loaded machine must not turn an expected answer into a timeout. Tests of
        // timeouts set their own.
        .handshakeTimeout(Duration.ofSeconds(30))
        .requestTimeout(Duration.ofSeconds(30))
        .watchdogInterval(Duration.ZERO)
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
  }
}

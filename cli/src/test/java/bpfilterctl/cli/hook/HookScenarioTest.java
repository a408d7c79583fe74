package bpfilterctl.cli.hook;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.RecordedScenario;
import bpfilterctl.core.json.JsonReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Every recorded iptables-legacy 1.8.9 scenario, run again by the real iptables-legacy binaries
 * under the sockopt hook against a daemon: what they print, their exit status, every IPT_SO_* call
 * the module answered (the SET_REPLACE and SET_ADD_COUNTERS buffers byte for byte, the counters
 * pointer aside) and the final iptables-save -c of every table (also through the hook) must equal
 * the kernel's recording.
 */
@Timeout(600)
class HookScenarioTest {
  private static final String SAVE_ALL =
      "for t in filter nat mangle raw security; do iptables-legacy-save -c -t $t 2>/dev/null"
          + " | grep -v '^#' || true; done\n";

  @TestFactory
  Stream<DynamicTest> sharedScenarios() throws IOException {
    Path lib = HookedDaemon.requireHookAndNamespaces();
    Optional<Path> shared = sharedConformance();
    Require.that(shared.isPresent(), "../shared/conformance is not beside the project");
    List<Path> files = RecordedScenario.recordings(shared.get().resolve("iptables-legacy-1.8.9"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    return files.stream().map(f -> DynamicTest.dynamicTest(name(f), () -> check(lib, f)));
  }

  @TestFactory
  Stream<DynamicTest> realWorldScenarios() throws IOException {
    Path lib = HookedDaemon.requireHookAndNamespaces();
    Path own = Path.of("../core/src/test/resources/rules/scenarios");
    assertThat(own).as("the project's own recordings").isDirectory();
    List<Path> files = RecordedScenario.recordings(own);
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    return files.stream().map(f -> DynamicTest.dynamicTest(name(f), () -> check(lib, f)));
  }

  private static String name(Path f) {
    return f.getFileName().toString();
  }

  @SuppressWarnings("unchecked")
  private static void check(Path lib, Path f) throws Exception {
    Map<String, Object> d = (Map<String, Object>) JsonReader.parse(RecordedScenario.read(f));
    Path dir = Files.createTempDirectory("hook-scenario");
    try (HookedDaemon daemon = HookedDaemon.start(dir)) {
      HookedDaemon.Run run = daemon.runHooked(lib, (String) d.get("script"));
      List<RecordedScenario.Call> calls = daemon.calls();
      HookedDaemon.Run save = daemon.runHooked(lib, SAVE_ALL);
      assertThat(save.rc()).as("save under the hook: %s", save.output()).isZero();
      RecordedScenario.assertMatches(name(f), d, run.output(), run.rc(), calls, save.output());
    } finally {
      deleteTree(dir);
    }
  }

  static Optional<Path> sharedConformance() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path shared = p.resolveSibling("shared").resolve("conformance");
      if (Files.isDirectory(shared)) {
        return Optional.of(shared);
      }
    }
    return Optional.empty();
  }

  /** Removes a test's directory; what a stopping daemon removes meanwhile is no error. */
  static void deleteTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new java.nio.file.SimpleFileVisitor<>() {
          @Override
          public java.nio.file.FileVisitResult visitFile(
              Path file, java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
            Files.deleteIfExists(file);
            return java.nio.file.FileVisitResult.CONTINUE;
          }

          @Override
          public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e)
              throws IOException {
            if (e instanceof java.nio.file.NoSuchFileException) {
              return java.nio.file.FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public java.nio.file.FileVisitResult postVisitDirectory(Path d, IOException e)
              throws IOException {
            Files.deleteIfExists(d);
            return java.nio.file.FileVisitResult.CONTINUE;
          }
        });
  }
}

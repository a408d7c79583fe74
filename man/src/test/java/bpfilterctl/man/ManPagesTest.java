package bpfilterctl.man;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every generated page renders with man and groff without a warning, and has its sections. */
class ManPagesTest {
  static final Path DIR = Path.of("target", "man", "man1");

  static List<Path> pages() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.toString().endsWith(".1")).sorted().toList();
    }
  }

  record Run(int rc, String out, String err) {}

  static Run run(Map<String, String> env, String... argv) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv);
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), out, err);
  }

  static boolean has(String tool) {
    try {
      return run(Map.of(), "sh", "-c", "command -v " + tool).rc() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test
  void aPagePerCommand() throws IOException {
    assertThat(pages().stream().map(p -> p.getFileName().toString()))
        .contains(
            "bpfilterctl.1",
            "bpfilterctl-load.1",
            "bpfilterctl-unload.1",
            "bpfilterctl-status.1",
            "bpfilterctl-ping.1",
            "bpfilterctl-log.1",
            "bpfilterctl-raw.1",
            "bpfilterctl-get.1",
            "bpfilterctl-get-info.1",
            "bpfilterctl-get-entries.1",
            "bpfilterctl-get-revision.1",
            "bpfilterctl-get-revision-match.1",
            "bpfilterctl-get-revision-target.1",
            "bpfilterctl-set.1",
            "bpfilterctl-set-replace.1",
            "bpfilterctl-set-counters.1",
            "bpfilterctl-completion.1",
            "bpfilterctl-help.1",
            "bpfilterctl-exit.1");
  }

  @Test
  void manRendersEveryPageWithoutAWarning() throws Exception {
    assumeTrue(has("man"), "man is not installed (apt-get install man-db): skipping");
    for (Path page : pages()) {
      Run r = run(Map.of("MANWIDTH", "80"), "man", "-l", page.toString());
      assertThat(r.err()).as("man -l %s", page).isEmpty();
      assertThat(r.rc()).isZero();
      assertThat(r.out()).contains("NAME", "SYNOPSIS", "SEE ALSO");
    }
  }

  @Test
  void groffFindsNothingToWarnAbout() throws Exception {
    assumeTrue(has("groff"), "groff is not installed: skipping");
    for (Path page : pages()) {
      Run r = run(Map.of(), "groff", "-ww", "-z", "-man", page.toString());
      assertThat(r.err()).as("groff -ww %s", page).isEmpty();
    }
  }

  @Test
  void theMainPageHasExamplesExitStatusFilesAndEnvironment() throws Exception {
    assumeTrue(has("man"), "man is not installed (apt-get install man-db): skipping");
    String text =
        run(Map.of("MANWIDTH", "80"), "man", "-l", DIR.resolve("bpfilterctl.1").toString()).out();
    assertThat(text)
        .contains("EXAMPLES", "EXIT STATUS", "ENVIRONMENT", "FILES")
        .contains("NO_COLOR", "XDG_STATE_HOME", "bpfilterctl/history")
        .contains("module not loaded")
        .contains("bpfilterctl-status(1)");
    String status =
        run(Map.of("MANWIDTH", "80"), "man", "-l", DIR.resolve("bpfilterctl-status.1").toString())
            .out();
    assertThat(status).contains("--json", "EXAMPLES", "EXIT STATUS", "bpfilterctl(1)");
  }
}

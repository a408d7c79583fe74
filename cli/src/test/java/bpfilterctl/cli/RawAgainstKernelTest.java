package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.mbox.Sockopt;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the module host: every call of every recorded iptables-legacy scenario goes to
 * the real kernel (shared/tools/kernel-sockopt, in a fresh netns) and to {@code raw --ephemeral};
 * the two outputs must be equal line by line. Skipped where the kernel cannot be asked (no root, no
 * unshare, no ip_tables).
 */
class RawAgainstKernelTest {
  @TempDir Path tmp;

  @TestFactory
  Stream<DynamicTest> everyScenarioAnswersAsTheKernelDoes() throws IOException {
    Path shared = SharedFixtures.root().orElse(null);
    Require.that(shared != null, "no ../shared/conformance beside the project");
    Require.that(
        kernelAnswers(shared), "the kernel cannot be asked here (root, unshare, ip_tables)");
    List<Path> scenarios;
    try (Stream<Path> s = Files.list(shared.resolve("conformance/iptables-legacy-1.8.9"))) {
      scenarios = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    return scenarios.stream()
        .map(p -> DynamicTest.dynamicTest(p.getFileName().toString(), () -> compare(shared, p)));
  }

  private void compare(Path shared, Path scenario) throws Exception {
    List<String> calls = callsOf(scenario);
    Path in = tmp.resolve(scenario.getFileName() + ".jsonl");
    Files.write(in, calls);
    List<String> kernel = kernelSockopt(shared, in);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (Session s = Session.embedded()) {
      Commands.create(s, new PrintWriter(out, true), new PrintWriter(err, true))
          .execute("raw", "--ephemeral", in.toString());
    }
    List<String> ours = out.toString().lines().toList();
    assertThat(ours).as("stderr: %s", err).hasSameSizeAs(kernel);
    for (int i = 0; i < kernel.size(); i++) {
      assertThat(ours.get(i)).as("call %d: %s", i, calls.get(i)).isEqualTo(kernel.get(i));
    }
  }

  /** The scenario's calls as raw input; a get's input buffer is rebuilt from its output. */
  static List<String> callsOf(Path scenario) throws IOException {
    Map<String, Object> rec = JsonReader.parseObject(Files.readString(scenario));
    List<String> lines = new ArrayList<>();
    for (Object o : (List<?>) rec.get("calls")) {
      Map<?, ?> c = (Map<?, ?>) o;
      String buf = (String) c.get("buf");
      if (buf == null) {
        continue; // a failed get: strace showed no buffer, and replaying it changes nothing
      }
      int len = ((Long) c.get("len")).intValue();
      String cmd = (String) c.get("cmd");
      String input =
          switch (cmd) {
            case "IPT_SO_GET_INFO" -> zeroPad(buf.substring(0, 64), len);
            case "IPT_SO_GET_ENTRIES" -> zeroPad(buf.substring(0, 72), len);
            default -> buf;
          };
      // kernel-sockopt takes the option as a number only.
      lines.add(
          String.format(
              "{\"op\": \"%s\", \"cmd\": %d, \"buf\": \"%s\"}",
              c.get("op"), Sockopt.valueOf(cmd).cmd(), input));
    }
    return lines;
  }

  private static String zeroPad(String hex, int len) {
    return hex + "0".repeat(len * 2 - hex.length());
  }

  private static List<String> kernelSockopt(Path shared, Path in) throws Exception {
    Process p =
        new ProcessBuilder(Python3.command(), shared.resolve("tools/kernel-sockopt").toString())
            .redirectInput(in.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return out.lines().toList();
  }

  private static boolean kernelAnswers(Path shared) {
    try {
      Path probe = Files.createTempFile("probe", ".jsonl");
      Files.writeString(
          probe,
          "{\"op\": \"get\", \"cmd\": 64, \"buf\": \"" + zeroPad("66696c746572", 84) + "\"}\n");
      List<String> out = kernelSockopt(shared, probe);
      Files.delete(probe);
      return out.size() == 1 && out.get(0).startsWith("{\"rc\": 0");
    } catch (Exception | AssertionError e) {
      return false;
    }
  }
}

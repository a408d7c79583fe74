package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our iptables-xml against iptables-xml 1.8.9 itself (run in a fresh network namespace): stdout and
 * stderr byte for byte and the exit status, on every iptables-save output the fixtures hold, on
 * random rulesets, on malformed input and on odd command lines, each with and without -c and -v.
 */
class IptablesXmlAgainstLegacyTest {
  private static final List<List<String>> FLAGS =
      List.of(List.of(), List.of("-c"), List.of("-v"), List.of("-c", "-v"));

  @TempDir Path tmp;

  @BeforeAll
  static void realIptablesXml() {
    String why = unavailable();
    Require.nothingMissing(why);
  }

  /** Why the real iptables-xml cannot be run here, or null. */
  static String unavailable() {
    try {
      Run r = real(List.of("-h"), new byte[0]);
      // -h: the usage on stderr, status 1
      return r.status() == 1 && new String(r.err(), StandardCharsets.UTF_8).contains("Usage")
          ? null
          : "unshare -n iptables-xml -h did not answer as iptables-xml (root and iptables-legacy"
              + " 1.8.9 are needed): "
              + new String(r.err(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "cannot run unshare or iptables-xml: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  record Run(byte[] out, byte[] err, int status) {
    String show() {
      return "status "
          + status
          + "\n--- stderr\n"
          + new String(err, StandardCharsets.ISO_8859_1)
          + "--- stdout\n"
          + new String(out, StandardCharsets.ISO_8859_1);
    }

    boolean same(Run o) {
      return status == o.status && Arrays.equals(out, o.out) && Arrays.equals(err, o.err);
    }
  }

  private static Run real(List<String> args, byte[] stdin)
      throws IOException, InterruptedException {
    File in = File.createTempFile("bpfilterctl-xml", ".in");
    try {
      Files.write(in.toPath(), stdin);
      List<String> cmd = new ArrayList<>(List.of("unshare", "-n", "iptables-xml"));
      cmd.addAll(args);
      Process p = new ProcessBuilder(cmd).redirectInput(in).start();
      byte[] err;
      byte[] out;
      try (var e = p.getErrorStream();
          var o = p.getInputStream()) {
        // stderr is small (one message); read stdout, then stderr
        out = o.readAllBytes();
        err = e.readAllBytes();
      }
      return new Run(out, err, p.waitFor());
    } finally {
      Files.deleteIfExists(in.toPath());
    }
  }

  private static Run ours(List<String> args, byte[] stdin) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status =
        IptablesXml.run(args, IptablesXml.Input.of(new ByteArrayInputStream(stdin)), out, err);
    return new Run(out.toByteArray(), err.toByteArray(), status);
  }

  /** Runs every input with every flag set through both; returns how many were compared. */
  private static int compare(List<String> inputs) throws IOException, InterruptedException {
    List<String> differences = new ArrayList<>();
    int n = 0;
    for (String input : inputs) {
      byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
      for (List<String> flags : FLAGS) {
        n++;
        Run want = real(flags, bytes);
        Run got = ours(flags, bytes);
        if (!want.same(got)) {
          differences.add(
              "iptables-xml "
                  + String.join(" ", flags)
                  + " < input:\n"
                  + input
                  + "\n=== iptables-xml 1.8.9: "
                  + want.show()
                  + "\n=== ours: "
                  + got.show());
        }
      }
    }
    assertThat(differences).as("%d of %d runs differ", differences.size(), n).isEmpty();
    return n;
  }

  /** Every iptables-save output the recordings hold, as saved (-c) and without the counters. */
  @SuppressWarnings("unchecked")
  static List<String> recordedSaves() throws IOException {
    List<Path> files = new ArrayList<>();
    Optional<Path> shared = Fixtures.conformance();
    if (shared.isPresent()) {
      files.addAll(RecordedScenario.recordings(shared.get().resolve("iptables-legacy-1.8.9")));
    }
    Path ours = Path.of("src/test/resources/rules/scenarios");
    if (Files.isDirectory(ours)) {
      files.addAll(RecordedScenario.recordings(ours));
    }
    List<String> saves = new ArrayList<>();
    for (Path f : files) {
      Map<String, Object> d = (Map<String, Object>) JsonReader.parse(RecordedScenario.read(f));
      for (String key : List.of("save", "output")) {
        if (d.get(key) instanceof String s && s.contains("\nCOMMIT\n")) {
          saves.add(s);
          saves.add(s.replaceAll("(?m)^\\[\\d+:\\d+\\] ", ""));
        }
      }
    }
    return saves;
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void everyRecordedSaveConvertsAsIptablesXmlConvertsIt() throws Exception {
    List<String> saves = recordedSaves();
    assertThat(saves).as("the recordings' iptables-save outputs").hasSizeGreaterThan(20);
    assertThat(compare(saves)).isEqualTo(saves.size() * FLAGS.size());
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void randomRulesetsConvertAsIptablesXmlConvertsThem() throws Exception {
    compare(randomInputs(40));
  }

  /** The same stream of rulesets, longer (the first 40 are verify's). */
  @Test
  @Tag("soak")
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void moreRandomRulesetsConvertAsIptablesXmlConvertsThem() throws Exception {
    compare(randomInputs(150));
  }

  private static List<String> randomInputs(int n) {
    Random r = new Random(14);
    List<String> inputs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inputs.add(XmlInputs.random(r));
    }
    return inputs;
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void malformedInputFailsWithIptablesXmlsMessageAndStatus() throws Exception {
    compare(XmlInputs.odd());
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void commandLinesAreReadAsIptablesXmlReadsThem() throws Exception {
    Path rules = tmp.resolve("rules.v4");
    Files.writeString(rules, XmlInputs.random(new Random(1)));
    Files.createDirectory(tmp.resolve("dir"));
    String f = rules.toString();
    List<List<String>> lines =
        List.of(
            List.of("-h"),
            List.of("--help"),
            List.of("--he"),
            List.of("-vch"),
            List.of("-v", "-v"),
            List.of("--=x"),
            List.of("--c=1"),
            List.of("--combine", "--verbose"),
            List.of("-q", "-c", "--x"),
            List.of("-"),
            List.of("--"),
            List.of("--", "-c"),
            List.of("a", "b"),
            List.of(f),
            List.of("-c", f, "-v"),
            List.of("--", f),
            List.of(f, f),
            List.of(tmp.resolve("missing").toString()),
            List.of(f + "/x"),
            List.of(tmp.resolve("dir").toString()));
    byte[] stdin = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n".getBytes(StandardCharsets.UTF_8);
    List<String> differences = new ArrayList<>();
    for (List<String> argv : lines) {
      Run want = real(argv, stdin);
      Run got = ours(argv, stdin);
      if (!want.same(got)) {
        differences.add(argv + "\n=== iptables-xml: " + want.show() + "\n=== ours: " + got.show());
      }
    }
    assertThat(differences).isEmpty();
  }
}

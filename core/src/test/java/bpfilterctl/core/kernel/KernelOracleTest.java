package bpfilterctl.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.kernel.ExtensionContext.EntryMatch;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The registry against what the real kernel answered (ext-oracle.jsonl.gz, recorded by
 * core/src/test/scripts/ext_oracle.py): every rule blob's errno or acceptance, every revision
 * query, and what GET_ENTRIES gave back of each accepted extension's data (usersize).
 */
class KernelOracleTest {
  private static final ExtensionRegistry REGISTRY = ExtensionRegistry.kernel();
  private static final List<Map<String, Object>> CASES = new ArrayList<>();

  @BeforeAll
  @SuppressWarnings("unchecked")
  static void load() throws IOException {
    try (var gz = KernelOracleTest.class.getResourceAsStream("/ext-oracle.jsonl.gz");
        var in = new GZIPInputStream(Objects.requireNonNull(gz));
        var r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          CASES.add((Map<String, Object>) JsonReader.parse(line));
        }
      }
    }
  }

  @Test
  void everyRuleGetsTheKernelsErrno() {
    List<String> mismatches = new ArrayList<>();
    int total = 0;
    for (Map<String, Object> c : CASES) {
      if (!"rule".equals(c.get("case"))) {
        continue;
      }
      total++;
      String expected = canonical((String) c.get("errno"));
      String got = validate(c).map(Enum::name).orElse(null);
      if (!Objects.equals(expected, got)) {
        mismatches.add(
            "kernel %s, registry %s: %s in %s/%s (%s)"
                .formatted(
                    expected, got, c.get("why"), c.get("table"), c.get("hook"), c.get("origin")));
      }
    }
    System.out.printf("ext oracle: %d/%d rule cases match%n", total - mismatches.size(), total);
    assertThat(mismatches).isEmpty();
  }

  @Test
  void revisionQueriesGetTheKernelsAnswer() {
    List<String> mismatches = new ArrayList<>();
    for (Map<String, Object> c : CASES) {
      if (!"revision".equals(c.get("case"))) {
        continue;
      }
      ExtensionKind kind =
          "match".equals(c.get("kind")) ? ExtensionKind.MATCH : ExtensionKind.TARGET;
      String name = (String) c.get("name");
      int revision = ((Long) c.get("revision")).intValue();
      String errno = (String) c.get("errno");
      int expected = errno == null ? 0 : Errno.named(canonical(errno)).orElseThrow().status();
      int got = REGISTRY.revisionAnswer(kind, name, revision);
      if (expected != got) {
        mismatches.add(
            "%s %s rev %d: kernel %d, registry %d".formatted(kind, name, revision, expected, got));
      }
    }
    assertThat(mismatches).isEmpty();
  }

  /**
   * GET_ENTRIES gives back the first userSize() bytes as set (after what checkentry wrote,
   * normalize) and zeroes the rest, struct tail padding included: this pins the unaligned sizes
   * too.
   */
  @Test
  @SuppressWarnings("unchecked")
  void readbackKeepsOnlyUserSize() {
    List<String> mismatches = new ArrayList<>();
    for (Map<String, Object> c : CASES) {
      Map<String, Object> readback = (Map<String, Object>) c.get("readback");
      if (readback == null) {
        continue;
      }
      List<Map<String, Object>> ms = (List<Map<String, Object>>) c.get("matches");
      List<Object> back = (List<Object>) readback.get("matches");
      for (int i = 0; i < ms.size(); i++) {
        compare(ExtensionKind.MATCH, ms.get(i), (String) back.get(i), mismatches);
      }
      compare(
          ExtensionKind.TARGET,
          (Map<String, Object>) c.get("target"),
          (String) readback.get("target"),
          mismatches);
    }
    assertThat(mismatches).isEmpty();
  }

  private static void compare(
      ExtensionKind kind, Map<String, Object> ext, String back, List<String> mismatches) {
    String name = (String) ext.get("name");
    int revision = ((Long) ext.get("revision")).intValue();
    byte[] sent = HexFormat.of().parseHex((String) ext.get("data"));
    byte[] got = HexFormat.of().parseHex(back);
    KernelExtension e = REGISTRY.find(kind, name, revision).orElseThrow();
    byte[] stored = sent.clone();
    e.normalize(ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN));
    byte[] expected = new byte[sent.length];
    System.arraycopy(stored, 0, expected, 0, Math.min(e.userSize(), sent.length));
    if (!java.util.Arrays.equals(expected, got)) {
      mismatches.add(
          "%s rev %d: sent %s, kernel gave back %s"
              .formatted(name, revision, ext.get("data"), back));
    }
  }

  /** Python names errno 95 ENOTSUP; Linux and our Errno call it EOPNOTSUPP. */
  private static String canonical(String errno) {
    return "ENOTSUP".equals(errno) ? "EOPNOTSUPP" : errno;
  }

  /** What the umh's engine does for one rule: every match in order, then the target. */
  @SuppressWarnings("unchecked")
  static Optional<Errno> validate(Map<String, Object> c) {
    List<EntryMatch> matches = new ArrayList<>();
    for (Map<String, Object> m : (List<Map<String, Object>>) c.get("matches")) {
      matches.add(
          new EntryMatch((String) m.get("name"), ((Long) m.get("revision")).intValue(), data(m)));
    }
    ExtensionContext ctx =
        new ExtensionContext(
            (String) c.get("table"),
            1 << ((Long) c.get("hook")).intValue(),
            ((Long) c.get("proto")).intValue(),
            ((Long) c.get("invflags")).intValue(),
            ((Long) c.get("flags")).intValue(),
            matches);
    for (EntryMatch m : matches) {
      Optional<Errno> r =
          REGISTRY.validate(ExtensionKind.MATCH, m.name(), m.revision(), ctx, m.data());
      if (r.isPresent()) {
        return r;
      }
    }
    Map<String, Object> t = (Map<String, Object>) c.get("target");
    return REGISTRY.validate(
        ExtensionKind.TARGET,
        (String) t.get("name"),
        ((Long) t.get("revision")).intValue(),
        ctx,
        data(t));
  }

  private static ByteBuffer data(Map<String, Object> ext) {
    return ByteBuffer.wrap(HexFormat.of().parseHex((String) ext.get("data")))
        .order(ByteOrder.LITTLE_ENDIAN);
  }
}

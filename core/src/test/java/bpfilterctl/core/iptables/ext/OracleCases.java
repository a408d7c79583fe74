package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/** The recorded single-rule cases of iptables-legacy 1.8.9 (record_rule_oracle.py's output). */
final class OracleCases {
  private OracleCases() {}

  static final String PREFIX = "iptables v1.8.9 (legacy): ";

  record Case(
      String file,
      String table,
      String chain,
      String rule,
      int rc,
      String stderr,
      byte[] replace,
      List<String> listed,
      List<String> listN,
      List<String> list) {
    /** iptables' message without its prefix and the "Try `iptables -h'" line. */
    String message() {
      String first = stderr.lines().findFirst().orElse("");
      return first.startsWith(PREFIX) ? first.substring(PREFIX.length()) : first;
    }
  }

  static List<Case> load(String resource) {
    try (InputStream in = OracleCases.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("no resource " + resource);
      }
      List<Case> out = new ArrayList<>();
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8));
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank()) {
          out.add(decode(JsonReader.parseObject(line)));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The cases of iptables' own test suite. */
  static List<Case> suite() {
    return load("/rules/ext-cases-oracle.jsonl.gz");
  }

  private static Case decode(Map<String, Object> m) {
    String hex = (String) m.get("replace");
    return new Case(
        String.valueOf(m.getOrDefault("file", "")),
        (String) m.get("table"),
        (String) m.get("chain"),
        (String) m.get("rule"),
        ((Number) m.get("rc")).intValue(),
        m.get("stderr") == null ? "" : (String) m.get("stderr"),
        hex == null ? null : HexFormat.of().parseHex(hex),
        strings(m.get("listed")),
        strings(m.get("list_n")),
        strings(m.get("list")));
  }

  private static List<String> strings(Object o) {
    if (!(o instanceof List<?> l)) {
      return List.of();
    }
    return l.stream().map(String::valueOf).toList();
  }
}

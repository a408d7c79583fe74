package bpfilterctl.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the JSON reader accepts (RFC 8259) and what it refuses, each refusal one line. */
class JsonReaderTest {
  /** Issue 17, item 11: a 200k-deep line in `raw` or `traffic show` is an error, not a crash. */
  @Test
  void deepNestingIsAOneLineErrorNotAStackOverflow() {
    String deep = "[".repeat(200_000) + "]".repeat(200_000);
    assertThatThrownBy(() -> JsonReader.parse(deep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper than " + JsonReader.MAX_DEPTH);
    String deepObject = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
    assertThatThrownBy(() -> JsonReader.parseObject(deepObject))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested deeper");
  }

  @Test
  void nestingUpToTheLimitStillParses() {
    int n = JsonReader.MAX_DEPTH;
    Object v = JsonReader.parse("[".repeat(n) + "]".repeat(n));
    for (int i = 1; i < n; i++) {
      v = ((List<?>) v).get(0);
    }
    assertThat((List<?>) v).isEmpty();
    assertThatThrownBy(() -> JsonReader.parse("[".repeat(n + 1) + "]".repeat(n + 1)))
        .hasMessageContaining("nested deeper than " + n);
    assertThat(JsonReader.parseObject("{\"a\":[1,{\"b\":[]}],\"c\":{}}"))
        .containsOnlyKeys("a", "c")
        .extractingByKey("c")
        .isEqualTo(Map.of());
  }

  @Test
  void valuesComeBackAsPlainJavaTypes() {
    Map<String, Object> m =
        JsonReader.parseObject(
            " {\"s\":\"a\\u00e9\\n\\\"\\/\",\"i\":-42,\"d\":-0.5e1,\"t\":true,\"f\":false,"
                + "\"z\":null,\"l\":[1,\"x\"],\"max\":9223372036854775807,"
                + "\"min\":-9223372036854775808}\r\n\t");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("s", "aé\n\"/");
    expected.put("i", -42L);
    expected.put("d", -5.0);
    expected.put("t", true);
    expected.put("f", false);
    expected.put("z", null);
    expected.put("l", List.of(1L, "x"));
    expected.put("max", Long.MAX_VALUE);
    expected.put("min", Long.MIN_VALUE);
    assertThat(m).containsExactlyEntriesOf(expected);
  }

  @Test
  void aU64AboveLongMaxReadsBackAsItsUnsignedBits() {
    Object max = JsonReader.parse("18446744073709551615");
    assertThat(max).isEqualTo(new BigInteger("18446744073709551615"));
    assertThat(JsonReader.unsigned(max)).isEqualTo(-1L);
    assertThat(JsonReader.unsigned(JsonReader.parse("9223372036854775808")))
        .isEqualTo(Long.MIN_VALUE);
    assertThat(JsonReader.unsigned(JsonReader.parse("7"))).isEqualTo(7L);
    assertThatThrownBy(() -> JsonReader.unsigned(JsonReader.parse("-1")))
        .hasMessageContaining("unsigned");
    assertThatThrownBy(() -> JsonReader.unsigned(JsonReader.parse("1.0")))
        .hasMessageContaining("unsigned");
    assertThatThrownBy(() -> JsonReader.parse("18446744073709551616"))
        .hasMessageContaining("out of range");
    assertThatThrownBy(() -> JsonReader.parse("-9223372036854775809"))
        .hasMessageContaining("out of range");
  }

  /** The old hand-made reader took the first three; none of these is JSON. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "+1",
        "1.",
        "007",
        "-",
        ".5",
        "1e",
        "0x10",
        "NaN",
        "Infinity",
        "1e400",
        "[1,]",
        "{\"a\":1,}",
        "[1 2]",
        "{\"a\" 1}",
        "{a:1}",
        "{'a':1}",
        "\"tab\there\"",
        "\"\\x41\"",
        "\"\\u12\"",
        "\"open",
        "[",
        "",
        "   ",
        "tru",
        "nul",
        "[1]x",
        "{} {}",
        "1 2",
        "// c\n1",
        "/* c */1"
      })
  void refusesWhatIsNotJson(String text) {
    assertThatThrownBy(() -> JsonReader.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("JSON: ")
        .hasMessageMatching("(?s)[^\\n]*")
        .hasMessageContaining(" at offset ");
  }

  @Test
  void aDuplicateKeyIsRefusedNotSilentlyOverwritten() {
    assertThatThrownBy(() -> JsonReader.parseObject("{\"op\":\"get\",\"op\":\"set\"}"))
        .hasMessageContaining("op")
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> JsonReader.parse("[{\"a\":{\"b\":1,\"b\":2}}]"))
        .hasMessageContaining("b");
    // the same key in sibling objects is fine
    assertThat(JsonReader.parse("[{\"a\":1},{\"a\":2}]"))
        .isEqualTo(List.of(Map.of("a", 1L), Map.of("a", 2L)));
  }

  @Test
  void anErrorSaysWhereItWas() {
    assertThatThrownBy(() -> JsonReader.parse("[1,2,007]")).hasMessageEndingWith("at offset 6");
    assertThatThrownBy(() -> JsonReader.parse("[1] x")).hasMessageContaining("at offset 4");
  }

  @Test
  void parseObjectRefusesAnythingElse() {
    for (String s : Arrays.asList("[]", "1", "\"a\"", "null")) {
      assertThatThrownBy(() -> JsonReader.parseObject(s)).hasMessage("expected a JSON object");
    }
  }

  @Test
  void aLongStringIsNotCutByALibraryLimit() {
    String hex = "ab".repeat(12_000_000); // a 50k-rule table's blob in hex is this long
    assertThat(JsonReader.parseObject("{\"buf\":\"" + hex + "\"}").get("buf")).isEqualTo(hex);
  }
}

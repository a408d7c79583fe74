package bpfilterctl.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 17, item 11: a 200k-deep line in `raw` or `traffic show` is an error, not a crash. */
class JsonReaderTest {
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
    assertThat(JsonReader.parseObject("{\"a\":[1,{\"b\":[]}],\"c\":{}}"))
        .containsOnlyKeys("a", "c")
        .extractingByKey("c")
        .isEqualTo(Map.of());
  }
}

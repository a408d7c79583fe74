package bpfilterctl.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the JSON writer produces, and that the reader reads it back to the same values. */
class JsonWriterTest {
  @Test
  void writesKeysInCallOrderWithoutSpaces() {
    String s =
        new JsonWriter()
            .beginObject()
            .field("b", 1)
            .field("a", "x")
            .field("t", true)
            .name("n")
            .nullValue()
            .name("l")
            .beginArray()
            .value(-1)
            .value(0.25)
            .value("y")
            .beginObject()
            .endObject()
            .endArray()
            .endObject()
            .toString();
    assertThat(s).isEqualTo("{\"b\":1,\"a\":\"x\",\"t\":true,\"n\":null,\"l\":[-1,0.25,\"y\",{}]}");
  }

  @Test
  void aU64IsWrittenUnsignedAndReadsBack() {
    String s =
        new JsonWriter()
            .beginObject()
            .fieldUnsigned("packets", -1L)
            .fieldUnsigned("bytes", Long.MIN_VALUE)
            .fieldUnsigned("small", 5)
            .name("l")
            .beginArray()
            .valueUnsigned(-2L)
            .endArray()
            .endObject()
            .toString();
    assertThat(s)
        .isEqualTo(
            "{\"packets\":18446744073709551615,\"bytes\":9223372036854775808,\"small\":5,"
                + "\"l\":[18446744073709551614]}");
    Map<String, Object> m = JsonReader.parseObject(s);
    assertThat(JsonReader.unsigned(m.get("packets"))).isEqualTo(-1L);
    assertThat(JsonReader.unsigned(m.get("bytes"))).isEqualTo(Long.MIN_VALUE);
    assertThat(JsonReader.unsigned(m.get("small"))).isEqualTo(5L);
    assertThat(JsonReader.unsigned(((List<?>) m.get("l")).get(0))).isEqualTo(-2L);
  }

  @Test
  void stringsAreEscapedAsTheHandMadeWriterDidAndReadBackUnchanged() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      all.append(c);
    }
    all.append("é€\uD83D\uDE00");
    String s = new JsonWriter().value(all.toString()).toString();
    assertThat(s)
        .startsWith("\"\\u0000\\u0001")
        .contains("\\u0008\\t\\n\\u000b\\u000c\\r\\u000e")
        .contains("\\u001a")
        .contains(" !\\\"#")
        .contains("/0123")
        .contains("[\\\\]")
        .endsWith("~\u007fé€\uD83D\uDE00\"");
    assertThat(JsonReader.parse(s)).isEqualTo(all.toString());
  }

  @Test
  void aNonFiniteDoubleIsNullAndAFiniteOneIsJavasOwnText() {
    String s =
        new JsonWriter()
            .beginArray()
            .value(Double.NaN)
            .value(Double.POSITIVE_INFINITY)
            .value(1e21)
            .value(61.5)
            .endArray()
            .toString();
    assertThat(s).isEqualTo("[null,null,1.0E21,61.5]");
    assertThat(JsonReader.parse(s)).isEqualTo(java.util.Arrays.asList(null, null, 1e21, 61.5));
  }

  @Test
  void rawInsertsAValueWithItsComma() {
    assertThat(new JsonWriter().beginArray().value(1).raw("{\"a\":[2]}").value(3).endArray())
        .hasToString("[1,{\"a\":[2]},3]");
  }

  @Test
  void misuseIsRefusedNotWrittenAsBrokenJson() {
    assertThatThrownBy(() -> new JsonWriter().beginObject().value(1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("JSON: ");
    assertThatThrownBy(() -> new JsonWriter().beginArray().name("a"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new JsonWriter().beginArray().endObject())
        .isInstanceOf(IllegalStateException.class);
  }
}

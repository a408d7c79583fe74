package bpfilterctl.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerationException;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * Writes one JSON value with Jackson's streaming generator, which refuses a value where a key
 * belongs and the like. Keys are written in call order: stable output for scripts. The bytes are
 * those of the hand-made writer this replaced (the daemon's clients read them): control characters
 * other than \n, \r and \t as lowercase {@code \}{@code u00xx}, doubles as Double.toString, a
 * non-finite double as null.
 */
public final class JsonWriter {
  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private final StringWriter out = new StringWriter();
  private final JsonGenerator g;

  public JsonWriter() {
    try {
      g = FACTORY.createGenerator(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    g.setCharacterEscapes(LegacyEscapes.INSTANCE);
  }

  /** One call on the generator; its I/O cannot fail on a StringWriter, misuse can. */
  private interface Step {
    void on(JsonGenerator g) throws IOException;
  }

  private JsonWriter write(Step s) {
    try {
      s.on(g);
    } catch (JsonGenerationException e) {
      throw new IllegalStateException("JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return this;
  }

  public JsonWriter beginObject() {
    return write(JsonGenerator::writeStartObject);
  }

  public JsonWriter endObject() {
    return write(JsonGenerator::writeEndObject);
  }

  public JsonWriter beginArray() {
    return write(JsonGenerator::writeStartArray);
  }

  public JsonWriter endArray() {
    return write(JsonGenerator::writeEndArray);
  }

  public JsonWriter name(String name) {
    return write(x -> x.writeFieldName(name));
  }

  public JsonWriter value(String s) {
    return write(x -> x.writeString(s));
  }

  public JsonWriter value(long n) {
    return write(x -> x.writeNumber(n));
  }

  /** A u64 (a counter, a size): the 64 bits read as unsigned, never a negative number. */
  public JsonWriter valueUnsigned(long n) {
    return write(x -> x.writeNumber(Long.toUnsignedString(n)));
  }

  public JsonWriter value(double d) {
    return Double.isFinite(d) ? write(x -> x.writeNumber(Double.toString(d))) : nullValue();
  }

  public JsonWriter value(boolean b) {
    return write(x -> x.writeBoolean(b));
  }

  public JsonWriter nullValue() {
    return write(JsonGenerator::writeNull);
  }

  /** Inserts an already serialized JSON value. */
  public JsonWriter raw(String json) {
    return write(x -> x.writeRawValue(json));
  }

  public JsonWriter field(String name, String v) {
    return name(name).value(v);
  }

  public JsonWriter field(String name, long v) {
    return name(name).value(v);
  }

  public JsonWriter fieldUnsigned(String name, long v) {
    return name(name).valueUnsigned(v);
  }

  public JsonWriter field(String name, boolean v) {
    return name(name).value(v);
  }

  @Override
  public String toString() {
    write(JsonGenerator::flush);
    return out.toString();
  }

  /** Jackson's escapes, except \b, \f and the other controls: {@code \}{@code u00xx}, lowercase. */
  private static final class LegacyEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    static final LegacyEscapes INSTANCE = new LegacyEscapes();

    private final int[] codes = standardAsciiEscapesForJSON();

    private LegacyEscapes() {
      for (int c = 0; c < 0x20; c++) {
        if (c != '\n' && c != '\r' && c != '\t') {
          codes[c] = ESCAPE_CUSTOM;
        }
      }
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return codes;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return ch < 0x20 ? new SerializedString(String.format("\\u%04x", ch)) : null;
    }
  }
}

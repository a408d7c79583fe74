package bpfilterctl.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses one JSON text (RFC 8259, nothing more) into plain Java values: Map (insertion ordered),
 * List, String, Long (BigInteger for an integer above Long.MAX_VALUE that still fits a u64),
 * Double, Boolean, and null. Jackson's streaming parser does the lexing: no {@code +1}, {@code 1.},
 * {@code 007}, comments, single quotes, raw control characters or NaN. Duplicate keys and trailing
 * characters are refused; every error is one line with the offset where it was found.
 */
public final class JsonReader {
  /** Deeper nesting is refused: a 200k-deep line must be an error, not a StackOverflowError. */
  public static final int MAX_DEPTH = 256;

  private static final BigInteger U64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  /**
   * Thread-safe once built. Jackson's own nesting limit sits one level above ours, so that ours,
   * with its plainer message, is the one a reader meets. Strings have no length cap of their own: a
   * hex payload of a 50k-rule table is longer than Jackson's default, and the callers bound their
   * input.
   */
  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_DEPTH + 1)
                  .maxStringLength(Integer.MAX_VALUE)
                  .build())
          .build();

  private JsonReader() {}

  /** Parses one JSON value; anything after it but whitespace is an error. */
  public static Object parse(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw error(p, "unexpected end");
      }
      Object v = value(p, first);
      if (p.nextToken() != null) {
        throw error(p, "trailing characters");
      }
      return v;
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
      throw new IllegalArgumentException(
          "JSON: " + oneLine(e.getOriginalMessage()) + " at offset " + at, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a String source does not do I/O
    }
  }

  /** Parses a JSON object; anything else is an error. */
  public static Map<String, Object> parseObject(String text) {
    if (!(parse(text) instanceof Map<?, ?> parsed)) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    parsed.forEach((k, v) -> m.put((String) k, v));
    return m;
  }

  /**
   * A parsed integer as the 64 bits of a u64 (what {@link JsonWriter#valueUnsigned} wrote): a
   * non-negative Long, or a BigInteger up to 2^64-1. Compare and print the result as unsigned.
   */
  public static long unsigned(Object v) {
    if (v instanceof Long n && n >= 0) {
      return n;
    }
    if (v instanceof BigInteger b && b.signum() >= 0 && b.compareTo(U64_MAX) <= 0) {
      return b.longValue();
    }
    throw new IllegalArgumentException("expected an unsigned 64-bit integer, got " + v);
  }

  /** One open object or array while the tree is built; a loop, not recursion, builds it. */
  private static final class Open {
    final Map<String, Object> object;
    final List<Object> array;
    String key;

    Open(boolean isObject) {
      object = isObject ? new LinkedHashMap<>() : null;
      array = isObject ? null : new ArrayList<>();
    }

    void add(Object v) {
      if (object != null) {
        object.put(key, v);
      } else {
        array.add(v);
      }
    }

    Object done() {
      return object != null ? object : array;
    }
  }

  private static Object value(JsonParser p, JsonToken first) throws IOException {
    Deque<Open> open = new ArrayDeque<>();
    JsonToken t = first;
    while (true) {
      Object v;
      switch (t) {
        case START_OBJECT, START_ARRAY -> {
          if (open.size() == MAX_DEPTH) {
            throw error(p, "nested deeper than " + MAX_DEPTH + " levels");
          }
          open.push(new Open(t == JsonToken.START_OBJECT));
          t = p.nextToken();
          continue;
        }
        case FIELD_NAME -> {
          open.peek().key = p.currentName();
          t = p.nextToken();
          continue;
        }
        case END_OBJECT, END_ARRAY -> v = open.pop().done();
        case VALUE_STRING -> v = p.getText();
        case VALUE_NUMBER_INT -> v = integer(p);
        case VALUE_NUMBER_FLOAT -> v = decimal(p);
        case VALUE_TRUE -> v = Boolean.TRUE;
        case VALUE_FALSE -> v = Boolean.FALSE;
        case VALUE_NULL -> v = null;
        default -> throw error(p, "unexpected token " + t);
      }
      if (open.isEmpty()) {
        return v;
      }
      open.peek().add(v);
      t = p.nextToken();
      if (t == null) {
        throw error(p, "unexpected end");
      }
    }
  }

  private static Object integer(JsonParser p) throws IOException {
    if (p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      return p.getLongValue();
    }
    BigInteger b = p.getBigIntegerValue();
    if (b.signum() < 0 || b.compareTo(U64_MAX) > 0) {
      throw error(p, "number out of range " + p.getText());
    }
    return b;
  }

  private static Object decimal(JsonParser p) throws IOException {
    double d = p.getDoubleValue();
    if (!Double.isFinite(d)) {
      throw error(p, "number out of range " + p.getText());
    }
    return d;
  }

  private static IllegalArgumentException error(JsonParser p, String what) {
    return new IllegalArgumentException(
        "JSON: " + what + " at offset " + p.currentLocation().getCharOffset());
  }

  private static String oneLine(String s) {
    return s == null ? "malformed" : s.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}

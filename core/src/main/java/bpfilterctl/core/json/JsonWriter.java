package bpfilterctl.core.json;

/**
 * A minimal streaming writer of one JSON value, so that status records and frames serialize without
 * a library. Keys are written in call order: stable output for scripts.
 */
public final class JsonWriter {
  private final StringBuilder out = new StringBuilder();
  private boolean needComma;

  public JsonWriter beginObject() {
    comma();
    out.append('{');
    needComma = false;
    return this;
  }

  public JsonWriter endObject() {
    out.append('}');
    needComma = true;
    return this;
  }

  public JsonWriter beginArray() {
    comma();
    out.append('[');
    needComma = false;
    return this;
  }

  public JsonWriter endArray() {
    out.append(']');
    needComma = true;
    return this;
  }

  public JsonWriter name(String name) {
    comma();
    string(name);
    out.append(':');
    needComma = false;
    return this;
  }

  public JsonWriter value(String s) {
    comma();
    if (s == null) {
      out.append("null");
    } else {
      string(s);
    }
    needComma = true;
    return this;
  }

  public JsonWriter value(long n) {
    comma();
    out.append(n);
    needComma = true;
    return this;
  }

  public JsonWriter value(double d) {
    comma();
    out.append(Double.isFinite(d) ? Double.toString(d) : "null");
    needComma = true;
    return this;
  }

  public JsonWriter value(boolean b) {
    comma();
    out.append(b);
    needComma = true;
    return this;
  }

  public JsonWriter nullValue() {
    comma();
    out.append("null");
    needComma = true;
    return this;
  }

  /** Inserts an already serialized JSON value. */
  public JsonWriter raw(String json) {
    comma();
    out.append(json);
    needComma = true;
    return this;
  }

  public JsonWriter field(String name, String v) {
    return name(name).value(v);
  }

  public JsonWriter field(String name, long v) {
    return name(name).value(v);
  }

  public JsonWriter field(String name, boolean v) {
    return name(name).value(v);
  }

  private void comma() {
    if (needComma) {
      out.append(',');
    }
  }

  private void string(String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  @Override
  public String toString() {
    return out.toString();
  }
}

package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A NUL-padded name in a fixed-size field of a uapi struct (table, match, target, chain names). */
public final class FixedName {
  private FixedName() {}

  /** The C string at {@code at}: the bytes before the first NUL, or all {@code size} bytes. */
  public static String read(ByteBuffer b, int at, int size) {
    int n = length(b, at, size);
    byte[] s = new byte[n];
    b.get(at, s);
    return new String(s, StandardCharsets.ISO_8859_1);
  }

  /** strnlen(): where the first NUL is, or {@code size} when the field has none. */
  public static int length(ByteBuffer b, int at, int size) {
    for (int i = 0; i < size; i++) {
      if (b.get(at + i) == 0) {
        return i;
      }
    }
    return size;
  }

  /** True when the field holds a NUL somewhere, as the kernel requires of most names. */
  public static boolean isTerminated(ByteBuffer b, int at, int size) {
    return length(b, at, size) < size;
  }

  /** Writes {@code name} and pads with NULs; it must leave room for at least one NUL. */
  public static void write(ByteBuffer b, int at, String name, int size) {
    byte[] s = name.getBytes(StandardCharsets.ISO_8859_1);
    if (s.length >= size) {
      throw new IllegalArgumentException("name '" + name + "' does not fit in " + size + " bytes");
    }
    b.put(at, s);
    for (int i = s.length; i < size; i++) {
      b.put(at + i, (byte) 0);
    }
  }
}

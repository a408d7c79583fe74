package bpfilterctl.core.daemon;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command line a client asks the daemon to run for it (the body of a RUN frame): its words, the
 * caller's working directory, the few environment variables a command reads, and whether the caller
 * sits at a terminal (stdin and stdout both, as {@code System.console()} tells).
 *
 * <p>Wire form, little endian: {@code u8 console}, {@code u32 argc}, argc strings, the cwd, {@code
 * u32 envc}, envc name/value string pairs; a string is {@code u32 length} and UTF-8.
 */
public record RunRequest(List<String> argv, String cwd, Map<String, String> env, boolean console) {
  /** The variables a command run in the daemon reads from its caller's environment. */
  public static final List<String> ENV =
      List.of("XTABLES_LOCKFILE", "NO_COLOR", "COLUMNS", "BPFILTERCTL_DEBUG");

  public RunRequest {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
  }

  /** The {@link #ENV} variables of {@code all} that are set. */
  public static Map<String, String> relevant(Map<String, String> all) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String k : ENV) {
      String v = all.get(k);
      if (v != null) {
        m.put(k, v);
      }
    }
    return m;
  }

  public byte[] encode() {
    List<byte[]> parts = new ArrayList<>();
    for (String a : argv) {
      parts.add(a.getBytes(StandardCharsets.UTF_8));
    }
    parts.add(cwd.getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, String> e : env.entrySet()) {
      parts.add(e.getKey().getBytes(StandardCharsets.UTF_8));
      parts.add(e.getValue().getBytes(StandardCharsets.UTF_8));
    }
    int size = 1 + 4 + 4;
    for (byte[] p : parts) {
      size += 4 + p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) (console ? 1 : 0)).putInt(argv.size());
    int i = 0;
    for (; i <= argv.size(); i++) {
      b.putInt(parts.get(i).length).put(parts.get(i));
    }
    b.putInt(env.size());
    for (; i < parts.size(); i++) {
      b.putInt(parts.get(i).length).put(parts.get(i));
    }
    return b.array();
  }

  /** The request in {@code body}; an IllegalArgumentException says what is wrong with it. */
  public static RunRequest decode(byte[] body) {
    ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
    try {
      boolean console = b.get() != 0;
      int argc = count(b);
      List<String> argv = new ArrayList<>();
      for (int i = 0; i < argc; i++) {
        argv.add(string(b));
      }
      String cwd = string(b);
      int envc = count(b);
      Map<String, String> env = new LinkedHashMap<>();
      for (int i = 0; i < envc; i++) {
        env.put(string(b), string(b));
      }
      if (b.hasRemaining()) {
        throw new IllegalArgumentException("RUN has " + b.remaining() + " bytes too many");
      }
      return new RunRequest(argv, cwd, env, console);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("RUN ends early", e);
    }
  }

  private static int count(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining() / 4) {
      throw new IllegalArgumentException("RUN has a bad count " + Integer.toUnsignedString(n));
    }
    return n;
  }

  private static String string(ByteBuffer b) {
    int n = b.getInt();
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("RUN has a bad string length");
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }
}

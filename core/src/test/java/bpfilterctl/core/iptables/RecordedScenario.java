package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * How a recorded iptables-legacy scenario is read and compared, for every test that replays one
 * (through our front-end, or through the real binaries under the sockopt hook): the recordings, the
 * calls as strace showed them, and what of a buffer says nothing about the rules (the counters
 * pointer, name tails, a get's contents, dates).
 */
public final class RecordedScenario {
  private static final int COUNTERS_POINTER = 88;
  private static final int REPLACE_SIZE = 40;
  private static final int REPLACE_HEADER = 96;
  private static final int ENTRY_SIZE = 112;
  private static final int NAME_LEN = 29; // xt_entry_match/target: u16 size, char name[29], u8 rev

  public static List<Path> recordings(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".json.gz"))
          .sorted()
          .toList();
    }
  }

  /** A recording, gzipped when large (the big rulesets' buffers compress 20-fold). */
  public static String read(Path f) throws IOException {
    if (!f.toString().endsWith(".gz")) {
      return Files.readString(f);
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A call as the fixtures hold it. */
  public record Call(String op, String cmd, int rc, String errno, String buf) {
    /** The same call with what says nothing about the rules taken out (see maskPointer). */
    public Call masked() {
      return new Call(op, cmd, rc, errno, maskPointer(cmd, buf));
    }

    public String show() {
      return op
          + " "
          + cmd
          + " rc="
          + rc
          + (errno == null ? "" : " " + errno)
          + " "
          + (buf == null ? "-" : buf.length() > 80 ? buf.substring(0, 80) + "..." : buf);
    }
  }

  public static String maskPointer(String cmd, String buf) {
    if (buf != null && cmd.startsWith("IPT_SO_GET_")) {
      // what a get returns carries, where the kernel leaves them alone, bytes of iptables' own
      // buffer (name tails, padding): the sets are compared byte for byte, a get by its length
      return "(" + buf.length() / 2 + " bytes)";
    }
    if (buf == null
        || !cmd.equals("IPT_SO_SET_REPLACE")
        || buf.length() < 2 * (COUNTERS_POINTER + 8)) {
      return buf;
    }
    return HexFormat.of()
        .formatHex(blankNameTails(HexFormat.of().parseHex(buf)))
        .replaceFirst("^(.{" + 2 * COUNTERS_POINTER + "}).{16}", "$1################");
  }

  /**
   * The kernel writes a match's or target's name back to GET_ENTRIES only up to its NUL
   * (xt_match_to_user copies strlen + 1), so the rest of each 29-byte name field is whatever
   * iptables' heap held there, and libiptc sends those bytes back in the next SET_REPLACE of an
   * untouched rule. Those bytes say nothing about the rule: both sides are zeroed after the NUL.
   */
  static byte[] blankNameTails(byte[] replace) {
    ByteBuffer b = ByteBuffer.wrap(replace).order(ByteOrder.nativeOrder());
    int size = b.getInt(REPLACE_SIZE);
    int end = Math.min(replace.length, REPLACE_HEADER + size);
    for (int e = REPLACE_HEADER; e + ENTRY_SIZE <= end; ) {
      int targetOffset = Short.toUnsignedInt(b.getShort(e + 88));
      int nextOffset = Short.toUnsignedInt(b.getShort(e + 90));
      if (nextOffset < ENTRY_SIZE || targetOffset < ENTRY_SIZE || e + nextOffset > end) {
        break; // not an entry we can walk: compare the rest as it is
      }
      for (int m = e + ENTRY_SIZE; m < e + targetOffset; ) {
        int matchSize = Short.toUnsignedInt(b.getShort(m));
        blankAfterNul(replace, m + 2);
        if (matchSize == 0) {
          break;
        }
        m += matchSize;
      }
      blankAfterNul(replace, e + targetOffset + 2);
      e += nextOffset;
    }
    return replace;
  }

  public static void blankAfterNul(byte[] b, int name) {
    int nul = name;
    while (nul < name + NAME_LEN && nul < b.length && b[nul] != 0) {
      nul++;
    }
    for (int i = nul; i < name + NAME_LEN && i < b.length; i++) {
      b[i] = 0;
    }
  }

  public static List<String> window(List<Call> calls, int i) {
    return calls.subList(Math.max(0, i - 6), Math.min(calls.size(), i + 3)).stream()
        .map(c -> c.cmd().replace("IPT_SO_", ""))
        .toList();
  }

  public static int firstDiffering(String a, String b) {
    if (a == null || b == null) {
      return 0;
    }
    int i = 0;
    while (i < Math.min(a.length(), b.length()) && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /** The first line where two outputs part, for a message that fits on a screen. */
  public static String firstDifference(String want, String got) {
    List<String> w = want.lines().toList();
    List<String> g = got.lines().toList();
    for (int i = 0; i < Math.max(w.size(), g.size()); i++) {
      String a = i < w.size() ? w.get(i) : "<end>";
      String b = i < g.size() ? g.get(i) : "<end>";
      if (!a.equals(b)) {
        return "line " + (i + 1) + "\n want: " + a + "\n got:  " + b;
      }
    }
    return "";
  }

  public static String undated(String s) {
    return s.replaceAll(
        "(# Generated by iptables-save v1\\.8\\.9 on|# Completed on) .*", "$1 DATE");
  }

  /** The calls the kernel answered, as the recording holds them, masked. */
  @SuppressWarnings("unchecked")
  public static List<Call> expectedCalls(Map<String, Object> recording) {
    List<Call> expected = new ArrayList<>();
    for (Object o : (List<Object>) recording.get("calls")) {
      Map<String, Object> c = (Map<String, Object>) o;
      expected.add(
          new Call(
                  (String) c.get("op"),
                  (String) c.get("cmd"),
                  ((Number) c.get("rc")).intValue(),
                  (String) c.get("errno"),
                  (String) c.get("buf"))
              .masked());
    }
    return expected;
  }

  /**
   * Asserts that a replay printed what the kernel's run printed, exited as it did, made the same
   * calls (masked) and left the same tables.
   */
  public static void assertMatches(
      String name,
      Map<String, Object> recording,
      String output,
      int rc,
      List<Call> actual,
      String save) {
    String want = undated((String) recording.get("output"));
    assertThat(undated(output))
        .as("output, first at %s", firstDifference(want, undated(output)))
        .isEqualTo(want);
    assertThat(rc).as("exit status").isEqualTo(((Number) recording.get("rc")).intValue());
    List<Call> expected = expectedCalls(recording);
    for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
      if (!actual.get(i).equals(expected.get(i))) {
        System.err.println(
            name
                + " first differing call "
                + i
                + "\n want "
                + expected.get(i).show()
                + "\n got  "
                + actual.get(i).show()
                + "\n first differing hex digit "
                + firstDiffering(expected.get(i).buf(), actual.get(i).buf())
                + "\n before it, want "
                + window(expected, i)
                + "\n before it, got  "
                + window(actual, i));
        break;
      }
    }
    assertThat(actual.stream().map(Call::show).toList())
        .as("calls (summary)")
        .isEqualTo(expected.stream().map(Call::show).toList());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).buf())
          .as("call %d: %s", i, expected.get(i).cmd())
          .isEqualTo(expected.get(i).buf());
    }
    assertThat(save).as("save").isEqualTo(recording.get("save"));
  }

  private RecordedScenario() {}
}

package bpfilterctl.core.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.core.abi.ext.ExtensionRegistry;
import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.rules.ext.Lookups;
import bpfilterctl.core.rules.ext.XtExtensions;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every recorded iptables-legacy 1.8.9 scenario, run through our iptables, iptables-save and
 * iptables-restore against the table engine: what they print, every IPT_SO_* call they make (the
 * SET_REPLACE and SET_ADD_COUNTERS buffers byte for byte, the counters pointer aside), and the
 * final iptables-save -c of every table must equal the kernel's recording.
 */
class IptablesScenarioTest {
  private static final int COUNTERS_POINTER = 88;
  private static final int REPLACE_SIZE = 40;
  private static final int REPLACE_HEADER = 96;
  private static final int ENTRY_SIZE = 112;
  private static final int NAME_LEN = 29; // xt_entry_match/target: u16 size, char name[29], u8 rev

  /** The project's own recordings: real-world rulesets (scripts and generator beside them). */
  private static final String OWN = "/rules/scenarios";

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    Optional<Path> conformance = Fixtures.conformance();
    assumeTrue(conformance.isPresent(), "../shared/conformance is not beside the project");
    List<Path> files = recordings(conformance.get().resolve("iptables-legacy-1.8.9"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
  }

  @TestFactory
  Stream<DynamicTest> realWorldScenarios() throws IOException, URISyntaxException {
    URL own = IptablesScenarioTest.class.getResource(OWN);
    assertThat(own).as(OWN + " on the test classpath").isNotNull();
    List<Path> files = recordings(Path.of(own.toURI()));
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
  }

  private static List<Path> recordings(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json") || p.toString().endsWith(".json.gz"))
          .sorted()
          .toList();
    }
  }

  /** A recording, gzipped when large (the big rulesets' buffers compress 20-fold). */
  private static String read(Path f) throws IOException {
    if (!f.toString().endsWith(".gz")) {
      return Files.readString(f);
    }
    try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A call as the fixtures hold it. */
  record Call(String op, String cmd, int rc, String errno, String buf) {
    String show() {
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

  /** Records the calls as strace showed them to the capture tool. */
  static final class Recording implements Sockopts {
    final Sockopts inner;
    final List<Call> calls = new ArrayList<>();

    Recording(Sockopts inner) {
      this.inner = inner;
    }

    @Override
    public byte[] get(int cmd, byte[] in) throws SockoptError, ModuleException {
      String name = Sockopt.of(false, cmd).map(Enum::name).orElse("?");
      try {
        byte[] out = inner.get(cmd, in);
        calls.add(new Call("get", name, 0, null, HexFormat.of().formatHex(out)));
        return out;
      } catch (SockoptError e) {
        calls.add(new Call("get", name, -1, bpfilterctl.core.mbox.Errno.nameOf(e.errno()), null));
        throw e;
      }
    }

    @Override
    public byte[] set(int cmd, byte[] value) throws SockoptError, ModuleException {
      String name = Sockopt.of(true, cmd).map(Enum::name).orElse("?");
      String hex = HexFormat.of().formatHex(value);
      try {
        byte[] out = inner.set(cmd, value);
        calls.add(new Call("set", name, 0, null, hex));
        return out;
      } catch (SockoptError e) {
        calls.add(new Call("set", name, -1, bpfilterctl.core.mbox.Errno.nameOf(e.errno()), hex));
        throw e;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void check(Path f) throws Exception {
    Map<String, Object> d = (Map<String, Object>) JsonReader.parse(read(f));
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    Recording rec = new Recording(ModuleSockopts.direct(engine::handle));
    Iptables iptables = new Iptables(rec, XtExtensions.standard(), Lookups.system());
    StringBuilder output = new StringBuilder();
    int rc = 0;
    for (ScenarioScript.Command c : ScenarioScript.parse((String) d.get("script"))) {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      int status = run(iptables, c, out, err);
      output.append(err);
      if (!c.quiet()) {
        output.append(out);
      }
      if (status != 0 && !c.mayFail()) {
        rc = status;
        break;
      }
    }
    List<Call> expected = new ArrayList<>();
    for (Object o : (List<Object>) d.get("calls")) {
      Map<String, Object> c = (Map<String, Object>) o;
      expected.add(
          new Call(
              (String) c.get("op"),
              (String) c.get("cmd"),
              ((Number) c.get("rc")).intValue(),
              (String) c.get("errno"),
              maskPointer((String) c.get("cmd"), (String) c.get("buf"))));
    }
    List<Call> actual =
        rec.calls.stream()
            .filter(c -> c.cmd().startsWith("IPT_SO_"))
            .map(c -> new Call(c.op(), c.cmd(), c.rc(), c.errno(), maskPointer(c.cmd(), c.buf())))
            .toList();
    StringBuilder save = new StringBuilder();
    Iptables quiet =
        new Iptables(
            ModuleSockopts.direct(engine::handle), XtExtensions.standard(), Lookups.system());
    for (String t : List.of("filter", "nat", "mangle", "raw", "security")) {
      StringBuilder out = new StringBuilder();
      new IptablesSave(quiet, ZonedDateTime::now)
          .run(List.of("-c", "-t", t), out, new StringBuilder());
      out.toString()
          .lines()
          .filter(l -> !l.startsWith("#"))
          .forEach(l -> save.append(l).append('\n'));
    }
    assertThat(undated(output.toString()))
        .as(
            "output, first at %s",
            firstDifference(undated((String) d.get("output")), undated(output.toString())))
        .isEqualTo(undated((String) d.get("output")));
    assertThat(rc).as("exit status").isEqualTo(((Number) d.get("rc")).intValue());
    for (int i = 0; i < Math.min(actual.size(), expected.size()); i++) {
      if (!actual.get(i).equals(expected.get(i))) {
        System.err.println(
            f.getFileName()
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
    assertThat(save.toString()).as("save").isEqualTo(d.get("save"));
  }

  private static int run(
      Iptables iptables, ScenarioScript.Command c, StringBuilder out, StringBuilder err)
      throws ModuleException {
    List<String> args = c.words().subList(1, c.words().size());
    return switch (c.words().get(0)) {
      case "iptables-legacy" -> iptables.run(args, out, err);
      case "iptables-legacy-save" ->
          new IptablesSave(iptables, ZonedDateTime::now).run(args, out, err);
      case "iptables-legacy-restore" -> {
        try {
          IptablesRestore.Options o = IptablesRestore.options(c.words().get(0), args);
          yield new IptablesRestore(iptables).run(o, c.stdin(), out, err);
        } catch (IptablesRestore.Usage u) {
          (u.toStdout() ? out : err).append(u.getMessage()).append('\n');
          yield u.status();
        }
      }
      default -> throw new IllegalArgumentException("not in the scenario shell: " + c.words());
    };
  }

  private static String maskPointer(String cmd, String buf) {
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

  private static void blankAfterNul(byte[] b, int name) {
    int nul = name;
    while (nul < name + NAME_LEN && nul < b.length && b[nul] != 0) {
      nul++;
    }
    for (int i = nul; i < name + NAME_LEN && i < b.length; i++) {
      b[i] = 0;
    }
  }

  private static List<String> window(List<Call> calls, int i) {
    return calls.subList(Math.max(0, i - 6), Math.min(calls.size(), i + 3)).stream()
        .map(c -> c.cmd().replace("IPT_SO_", ""))
        .toList();
  }

  private static int firstDiffering(String a, String b) {
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
  private static String firstDifference(String want, String got) {
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

  private static String undated(String s) {
    return s.replaceAll(
        "(# Generated by iptables-save v1\\.8\\.9 on|# Completed on) .*", "$1 DATE");
  }
}

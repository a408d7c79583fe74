package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every recorded iptables-legacy 1.8.9 scenario, run through our iptables, iptables-save and
 * iptables-restore against the table engine: what they print, every IPT_SO_* call they make (the
 * SET_REPLACE and SET_ADD_COUNTERS buffers byte for byte, the counters pointer aside), and the
 * final iptables-save -c of every table must equal the kernel's recording.
 */
class IptablesScenarioTest {

  /** The project's own recordings: real-world rulesets (scripts and generator beside them). */
  private static final String OWN = "/rules/scenarios";

  @TestFactory
  Stream<DynamicTest> scenarios() throws IOException {
    Optional<Path> conformance = Fixtures.conformance();
    Require.that(conformance.isPresent(), "../shared/conformance is not beside the project");
    List<Path> files =
        RecordedScenario.recordings(conformance.get().resolve("iptables-legacy-1.8.9"));
    assertThat(files).hasSizeGreaterThanOrEqualTo(15);
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
  }

  @TestFactory
  Stream<DynamicTest> realWorldScenarios() throws IOException, URISyntaxException {
    URL own = IptablesScenarioTest.class.getResource(OWN);
    assertThat(own).as(OWN + " on the test classpath").isNotNull();
    List<Path> files = RecordedScenario.recordings(Path.of(own.toURI()));
    assertThat(files).hasSizeGreaterThanOrEqualTo(8);
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
  }

  /** Records the calls as strace showed them to the capture tool. */
  static final class Recording implements Sockopts {
    final Sockopts inner;
    final List<RecordedScenario.Call> calls = new ArrayList<>();

    Recording(Sockopts inner) {
      this.inner = inner;
    }

    @Override
    public byte[] get(int cmd, byte[] in) throws SockoptError, ModuleException {
      String name = Sockopt.of(false, cmd).map(Enum::name).orElse("?");
      try {
        byte[] out = inner.get(cmd, in);
        calls.add(new RecordedScenario.Call("get", name, 0, null, HexFormat.of().formatHex(out)));
        return out;
      } catch (SockoptError e) {
        calls.add(
            new RecordedScenario.Call(
                "get", name, -1, bpfilterctl.core.uapi.Errno.nameOf(e.errno()), null));
        throw e;
      }
    }

    @Override
    public byte[] set(int cmd, byte[] value) throws SockoptError, ModuleException {
      String name = Sockopt.of(true, cmd).map(Enum::name).orElse("?");
      String hex = HexFormat.of().formatHex(value);
      try {
        byte[] out = inner.set(cmd, value);
        calls.add(new RecordedScenario.Call("set", name, 0, null, hex));
        return out;
      } catch (SockoptError e) {
        calls.add(
            new RecordedScenario.Call(
                "set", name, -1, bpfilterctl.core.uapi.Errno.nameOf(e.errno()), hex));
        throw e;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void check(Path f) throws Exception {
    Map<String, Object> d = (Map<String, Object>) JsonReader.parse(RecordedScenario.read(f));
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
    List<RecordedScenario.Call> actual =
        rec.calls.stream()
            .filter(c -> c.cmd().startsWith("IPT_SO_"))
            .map(RecordedScenario.Call::masked)
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
    RecordedScenario.assertMatches(
        f.getFileName().toString(), d, output.toString(), rc, actual, save.toString());
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
}

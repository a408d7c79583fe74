package bpfilterctl.core.umh.tables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Malformed SET_REPLACE blobs answered by the real kernel (make-mutations): each case runs in a
 * fresh engine, and every answer must equal the kernel's (rc, errno, get buffers, old counters).
 */
class MutationOracleTest {
  @TestFactory
  Stream<DynamicNode> sharedMutationsOf04UserChains() {
    Optional<Path> conformance = Fixtures.conformance();
    Require.that(conformance.isPresent(), "no shared/conformance directory beside the project");
    Path file = conformance.get().resolve("mutations/04-user-chains.jsonl");
    Require.that(Files.exists(file), "no " + file);
    return cases(Fixtures.mutations(file));
  }

  @TestFactory
  Stream<DynamicNode> committedMutationsOfOtherScenarios() throws Exception {
    Path dir = Path.of("src/test/resources/mutations");
    Require.that(Files.isDirectory(dir), "no " + dir.toAbsolutePath());
    List<DynamicNode> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path f :
          list.filter(p -> p.toString().endsWith(".jsonl") || p.toString().endsWith(".jsonl.gz"))
              .sorted()
              .toList()) {
        files.add(
            DynamicContainer.dynamicContainer(
                f.getFileName().toString(), cases(Fixtures.mutations(f))));
      }
    }
    return files.stream();
  }

  private static Stream<DynamicNode> cases(List<Fixtures.MutationCase> cases) {
    List<DynamicNode> tests = new ArrayList<>();
    int n = 0;
    for (Fixtures.MutationCase c : cases) {
      n++;
      String expected = c.kernel().get(1).rc() == 0 ? "ok" : c.kernel().get(1).errno();
      tests.add(
          DynamicTest.dynamicTest(
              String.format("%03d %s %s -> %s", n, c.source(), c.name(), expected),
              () -> check(c)));
    }
    return tests.stream();
  }

  static void check(Fixtures.MutationCase c) {
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    for (int i = 0; i < c.calls().size(); i++) {
      Fixtures.RawCall call = c.calls().get(i);
      Fixtures.KernelAnswer k = c.kernel().get(i);
      MboxReply reply = engine.handle(new MboxRequest(1, call.isSet(), call.cmd(), 1, call.buf()));
      String step = "call " + (i + 1) + " (" + (call.isSet() ? "set " : "get ") + call.cmd() + ")";
      assertThat(reply.describeStatus()).as(step).isEqualTo(k.rc() == 0 ? "ok" : k.errno());
      if (k.rc() != 0) {
        continue;
      }
      if (!call.isSet()) {
        assertThat(hex(reply.payload())).as(step + " output").isEqualTo(hex(k.buf()));
      } else if (k.counters() != null) {
        assertThat(hex(reply.payload())).as(step + " old counters").isEqualTo(hex(k.counters()));
      }
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}

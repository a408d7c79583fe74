package bpfilterctl.core.umh.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every IPT_SO_* call that iptables-legacy 1.8.9 made to the real kernel, in order, into
 * one fresh engine per scenario: same rc and errno, and for gets the same output buffer.
 */
class ScenarioReplayTest {
  private static final java.util.concurrent.atomic.AtomicInteger WITH_CALLER_BUFFER =
      new java.util.concurrent.atomic.AtomicInteger();

  @org.junit.jupiter.api.AfterAll
  static void summary() {
    System.out.println(
        "GET_ENTRIES matched only with the caller's own buffer (heap garbage in bytes the kernel"
            + " never writes): "
            + WITH_CALLER_BUFFER.get());
  }

  @TestFactory
  Stream<DynamicNode> everyRecordedCallGetsTheKernelsAnswer() {
    Optional<Path> conformance = Fixtures.conformance();
    assumeTrue(conformance.isPresent(), "no shared/conformance directory beside the project");
    List<DynamicNode> scenarios = new ArrayList<>();
    for (Fixtures.Scenario s : Fixtures.scenarios(conformance.get())) {
      TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
      List<DynamicTest> calls = new ArrayList<>();
      int n = 0;
      for (Fixtures.Call c : s.calls()) {
        n++;
        if (!c.isSet() && c.buf() == null) {
          continue; // a failed get: strace did not show its buffer, and it changes nothing
        }
        String name =
            String.format(
                "#%02d %s len %d -> %s",
                n, Sockopt.describe(c.isSet(), c.cmd()), c.len(), c.rc() == 0 ? "ok" : c.errno());
        calls.add(DynamicTest.dynamicTest(name, () -> replay(engine, c)));
      }
      scenarios.add(DynamicContainer.dynamicContainer(s.name(), calls));
    }
    return scenarios.stream();
  }

  static void replay(TableEngine engine, Fixtures.Call c) {
    byte[] input = c.isSet() ? c.buf() : inputOf(c.cmd(), c.buf());
    MboxReply reply = engine.handle(new MboxRequest(1, c.isSet(), c.cmd(), 1, input));
    assertThat(reply.describeStatus()).isEqualTo(c.rc() == 0 ? "ok" : c.errno());
    if (c.isSet() || c.rc() != 0) {
      return;
    }
    if (!Arrays.equals(reply.payload(), c.buf()) && c.cmd() == 65) {
      // iptables mallocs the GET_ENTRIES buffer: bytes the kernel never writes (name tails of
      // matches and targets) keep its heap garbage. With that same buffer, we must agree exactly.
      MboxReply again = engine.handle(new MboxRequest(1, false, c.cmd(), 1, c.buf().clone()));
      assertThat(hex(again.payload()))
          .as("output with the caller's own buffer as input")
          .isEqualTo(hex(c.buf()));
      assertThat(differsOnlyWhereWeLeftInput(reply.payload(), c.buf()))
          .as("differences with a zeroed input lie only in bytes left as the input had them")
          .isTrue();
      WITH_CALLER_BUFFER.incrementAndGet();
      return;
    }
    assertThat(hex(reply.payload())).isEqualTo(hex(c.buf()));
  }

  /** The input a get was given, rebuilt from its recorded output. */
  static byte[] inputOf(int cmd, byte[] output) {
    return switch (cmd) {
      case 64 -> Arrays.copyOf(Arrays.copyOf(output, 32), IptGetinfo.SIZE);
      case 65 -> Arrays.copyOf(Arrays.copyOf(output, 36), output.length);
      default -> output.clone();
    };
  }

  private static boolean differsOnlyWhereWeLeftInput(byte[] ours, byte[] kernel) {
    for (int i = IptGetEntries.HEADER_SIZE; i < ours.length; i++) {
      if (ours[i] != kernel[i] && ours[i] != 0) {
        return false;
      }
    }
    return ours.length == kernel.length;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}

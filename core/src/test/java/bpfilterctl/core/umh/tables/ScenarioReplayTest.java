package bpfilterctl.core.umh.tables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays every IPT_SO_* call that iptables-legacy 1.8.9 made to the real kernel, in order, into
 * one fresh engine per scenario: same rc and errno, and for gets the same output buffer.
 */
class ScenarioReplayTest {
  /** Every GET_ENTRIES retried with the caller's own buffer, by scenario and call. */
  private static final Queue<String> RETRIED = new ConcurrentLinkedQueue<>();

  @AfterAll
  static void summary() {
    System.out.println(
        "GET_ENTRIES retried with the caller's own buffer (heap garbage in name tails and padding,"
            + " bytes the kernel never writes): "
            + RETRIED.size());
    RETRIED.forEach(r -> System.out.println("  " + r));
  }

  @TestFactory
  Stream<DynamicNode> everyRecordedCallGetsTheKernelsAnswer() {
    Path conformance = Require.conformance();
    List<DynamicNode> scenarios = new ArrayList<>();
    for (Fixtures.Scenario s : Fixtures.scenarios(conformance)) {
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
        calls.add(DynamicTest.dynamicTest(name, () -> replay(engine, c, s.name() + " " + name)));
      }
      scenarios.add(DynamicContainer.dynamicContainer(s.name(), calls));
    }
    return scenarios.stream();
  }

  static void replay(TableEngine engine, Fixtures.Call c, String label) {
    byte[] input = c.isSet() ? c.buf() : inputOf(c.cmd(), c.buf());
    MboxReply reply = engine.handle(new MboxRequest(1, c.isSet(), c.cmd(), 1, input));
    assertThat(reply.describeStatus()).isEqualTo(c.rc() == 0 ? "ok" : c.errno());
    if (c.isSet() || c.rc() != 0) {
      return;
    }
    if (!Arrays.equals(reply.payload(), c.buf()) && c.cmd() == 65) {
      // iptables mallocs the GET_ENTRIES buffer: bytes the kernel never writes (name tails of
      // matches and targets) keep its heap garbage. With that same buffer, we must agree exactly.
      RETRIED.add(label);
      MboxReply again = engine.handle(new MboxRequest(1, false, c.cmd(), 1, c.buf().clone()));
      assertThat(hex(again.payload()))
          .as("output with the caller's own buffer as input")
          .isEqualTo(hex(c.buf()));
      assertThat(differencesOutsideHeapBytes(reply.payload(), c.buf()))
          .as("offsets where a zeroed input's output differs other than in name tails and padding")
          .isEmpty();
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

  /**
   * Where ours and the kernel's outputs differ, other than in the bytes the kernel never writes:
   * the header's padding after {@code size}, and the tail after the NUL of each match's and
   * target's 29-byte name (xt_obj_to_user copies strlen(name) + 1 bytes). Entries are walked in
   * ours, whose structure the exact comparison with the caller's buffer has already checked.
   */
  static List<Integer> differencesOutsideHeapBytes(byte[] ours, byte[] kernel) {
    BitSet heap = new BitSet();
    heap.set(IptGetEntries.OFF_SIZE + 4, IptGetEntries.HEADER_SIZE);
    ByteBuffer b = ByteBuffer.wrap(ours).order(ByteOrder.LITTLE_ENDIAN);
    int off = IptGetEntries.HEADER_SIZE;
    while (off + IptEntry.SIZE <= ours.length) {
      int target = off + Short.toUnsignedInt(b.getShort(off + IptEntry.OFF_TARGET_OFFSET));
      int next = Short.toUnsignedInt(b.getShort(off + IptEntry.OFF_NEXT_OFFSET));
      int m = off + IptEntry.SIZE;
      while (m < target) {
        nameTail(ours, m + XtEntryMatch.OFF_NAME, heap);
        int size = Short.toUnsignedInt(b.getShort(m + XtEntryMatch.OFF_SIZE));
        if (size == 0) {
          break;
        }
        m += size;
      }
      nameTail(ours, target + XtEntryTarget.OFF_NAME, heap);
      if (next == 0) {
        break;
      }
      off += next;
    }
    List<Integer> outside = new ArrayList<>();
    for (int i = 0; i < Math.max(ours.length, kernel.length); i++) {
      boolean differs = i >= ours.length || i >= kernel.length || ours[i] != kernel[i];
      if (differs && !heap.get(i)) {
        outside.add(i);
      }
    }
    return outside;
  }

  private static void nameTail(byte[] blob, int name, BitSet heap) {
    int end = Math.min(name + Abi.EXTENSION_NAME_LEN, blob.length);
    for (int i = name; i < end; i++) {
      if (blob[i] == 0) {
        heap.set(i + 1, end);
        return;
      }
    }
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}

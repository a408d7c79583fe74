package bpfilterctl.core.umh.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import bpfilterctl.core.fixtures.Fixtures;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.IptReplace;
import bpfilterctl.core.uapi.XtCountersInfo;
import bpfilterctl.core.uapi.XtGetRevision;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A seeded fuzz loop over every option with a fixed time budget: mutated real blobs never make the
 * engine throw, a get never answers more than it was given, and a refused call changes nothing.
 */
class EngineFuzzTest {
  private static final long BUDGET_NANOS = 3_000_000_000L;
  private static final List<String> TABLES = List.of("filter", "nat", "mangle", "raw", "security");

  record Seed(boolean isSet, int cmd, byte[] buf) {}

  @Test
  void mutatedCallsNeverThrowAndRefusalsChangeNothing() {
    List<Seed> seeds = seeds();
    Random rnd = new Random(0x5eed);
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    byte[] state = snapshot(engine);
    long deadline = System.nanoTime() + BUDGET_NANOS;
    int calls = 0;
    int accepted = 0;
    while (System.nanoTime() < deadline) {
      Seed s = seeds.get(rnd.nextInt(seeds.size()));
      byte[] in = mutate(s.buf(), rnd);
      MboxRequest request = new MboxRequest(calls, s.isSet(), s.cmd(), 1, in);
      MboxReply reply;
      try {
        reply = engine.handle(request);
      } catch (RuntimeException e) {
        throw new AssertionError("call " + calls + " threw on " + request.optionName(), e);
      }
      calls++;
      if (!s.isSet() && !reply.isError()) {
        assertThat(reply.payload().length).isLessThanOrEqualTo(in.length);
      }
      if (s.isSet() && s.cmd() == 64 && !reply.isError()) {
        // The old counters: one pair per entry of the table replaced.
        int numCounters = ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).getInt(84);
        assertThat(reply.payload()).hasSize(numCounters * 16);
      }
      if (reply.isError() || !s.isSet()) {
        byte[] after = snapshot(engine);
        if (!Arrays.equals(after, state)) {
          fail(
              "refused "
                  + request.optionName()
                  + " ("
                  + reply.describeStatus()
                  + ") changed state");
        }
      } else {
        accepted++;
        state = snapshot(engine);
      }
    }
    System.out.printf("fuzz: %d calls, %d accepted sets%n", calls, accepted);
    assertThat(calls).as("calls made within the budget").isGreaterThan(500);
    assertThat(accepted).as("some mutated calls still go through").isPositive();
  }

  private static byte[] mutate(byte[] seed, Random rnd) {
    byte[] b = seed.clone();
    switch (rnd.nextInt(6)) {
      case 0 -> {
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips && b.length > 0; i++) {
          b[rnd.nextInt(b.length)] ^= (byte) (1 << rnd.nextInt(8));
        }
      }
      case 1 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : rnd.nextInt(b.length));
      case 2 -> b = Arrays.copyOf(b, b.length + 1 + rnd.nextInt(64));
      case 3 -> {
        // An interesting number at a random aligned spot: sizes, offsets, counts, verdicts.
        int[] v = {0, -1, -2, -5, 1, 8, 112, 144, 0x7fffffff, 0xffff, b.length, b.length - 96};
        if (b.length >= 4) {
          int at = rnd.nextInt(b.length / 2) * 2;
          ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
          if (at + 4 <= b.length) {
            bb.putInt(at, v[rnd.nextInt(v.length)]);
          } else {
            bb.putShort(at, (short) v[rnd.nextInt(v.length)]);
          }
        }
      }
      case 4 -> b = new byte[rnd.nextInt(200)];
      default -> {
        // unchanged: valid calls keep the state moving
      }
    }
    return b;
  }

  /** Everything a caller can observe: GET_INFO and GET_ENTRIES of every table. */
  private static byte[] snapshot(TableEngine engine) {
    java.io.ByteArrayOutputStream sb = new java.io.ByteArrayOutputStream();
    for (String t : TABLES) {
      MboxReply info = engine.handle(new MboxRequest(0, false, 64, 0, IptGetinfo.request(t)));
      int size = IptGetinfo.decode(info.payload()).size();
      MboxReply entries =
          engine.handle(new MboxRequest(0, false, 65, 0, IptGetEntries.request(t, size)));
      sb.writeBytes(info.payload());
      sb.writeBytes(entries.payload());
    }
    return sb.toByteArray();
  }

  private static List<Seed> seeds() {
    List<Seed> seeds = new ArrayList<>();
    Fixtures.conformance()
        .ifPresent(
            c -> {
              for (Fixtures.Scenario s : Fixtures.scenarios(c)) {
                for (Fixtures.Call call : s.calls()) {
                  if (call.isSet() && call.rc() == 0) {
                    seeds.add(new Seed(true, call.cmd(), call.buf()));
                  }
                }
              }
            });
    // Without fixtures, seed with calls built from the records alone.
    seeds.add(new Seed(true, 64, TableEngineTest.filterWithRule(4, 0).encode()));
    seeds.add(new Seed(true, 65, new XtCountersInfo("filter", List.of()).encode()));
    for (String t : TABLES) {
      seeds.add(new Seed(false, 64, IptGetinfo.request(t)));
      seeds.add(new Seed(false, 65, IptGetEntries.request(t, 632)));
    }
    seeds.add(new Seed(false, 66, new XtGetRevision("tcp", 0).encode()));
    seeds.add(new Seed(false, 67, new XtGetRevision("REJECT", 0).encode()));
    seeds.add(new Seed(true, 66, new byte[8]));
    // The replace blobs' num_counters are those of the recorded moment: retarget to "current".
    List<Seed> extra = new ArrayList<>();
    for (Seed s : seeds) {
      if (s.isSet() && s.cmd() == 64 && s.buf().length >= IptReplace.HEADER_SIZE) {
        extra.add(s);
      }
    }
    seeds.addAll(extra);
    return seeds;
  }
}

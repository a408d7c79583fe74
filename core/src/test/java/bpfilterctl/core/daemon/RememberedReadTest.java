package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon answers a GET_INFO or GET_ENTRIES whose very bytes the running umh answered before,
 * while nothing can have changed the answer (ModuleHost.rememberedRead): the answer must be the
 * umh's byte for byte, show in the tap as request and reply with latency 0 as a known revision's,
 * and never outlive a set (of entries or counters, failed or not) or the umh that gave it, even
 * with readers racing the sets.
 */
@Timeout(180)
class RememberedReadTest {
  private static final int GET_INFO = 64;
  private static final int GET_ENTRIES = 65;
  private static final int ADD_COUNTERS = 65;

  @TempDir Path dir;

  private static MboxReply call(RawPeer p, byte[] frame) throws Exception {
    p.send(frame);
    DaemonFrame f = p.read(60_000);
    assertThat(RawPeer.describe(f)).isEqualTo("REPLY");
    byte[] b = f.body();
    return new MboxReply(
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(),
        Arrays.copyOfRange(b, 4, b.length));
  }

  private static MboxReply info(RawPeer p) throws Exception {
    byte[] in = new byte[84];
    System.arraycopy("filter".getBytes(StandardCharsets.US_ASCII), 0, in, 0, 6);
    MboxReply r = call(p, RawPeer.frame(FrameType.CALL, false, GET_INFO, 84, in));
    assertThat(r.status()).isEqualTo(84);
    return r;
  }

  private static int le(byte[] b, int at) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(at);
  }

  private static int size(MboxReply info) {
    return le(info.payload(), 80);
  }

  private static int entries(MboxReply info) {
    return le(info.payload(), 76);
  }

  /** GET_ENTRIES of {@code size} bytes as the hook sends it: its 40-byte head only. */
  private static MboxReply entries(RawPeer p, int size) throws Exception {
    byte[] head = new byte[40];
    System.arraycopy("filter".getBytes(StandardCharsets.US_ASCII), 0, head, 0, 6);
    ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(32, size);
    return call(p, RawPeer.frame(FrameType.CALL_HEAD, false, GET_ENTRIES, 40 + size, head));
  }

  private static long firstPackets(MboxReply entries) {
    return ByteBuffer.wrap(entries.payload())
        .order(ByteOrder.LITTLE_ENDIAN)
        .getLong(40 + IptEntry.OFF_COUNTERS);
  }

  /** SET_ADD_COUNTERS of filter's {@code n} entries: {@code packets} more on the first. */
  private static MboxReply addCounters(RawPeer p, int n, long packets) throws Exception {
    List<XtCounters> c = new ArrayList<>(Collections.nCopies(n, new XtCounters(0, 0)));
    c.set(0, new XtCounters(packets, 100 * packets));
    byte[] b = new XtCountersInfo("filter", c).encode();
    return call(p, RawPeer.frame(FrameType.CALL, true, ADD_COUNTERS, b.length, b));
  }

  private static Iptables iptables(DaemonClient client) {
    return new Iptables(ModuleSockopts.of(client), XtExtensions.standard(), Lookups.system());
  }

  private static void run(Iptables ipt, String... argv) throws Exception {
    StringBuilder err = new StringBuilder();
    assertThat(ipt.run(List.of(argv), new StringBuilder(), err)).as(err.toString()).isZero();
  }

  /** The reply frames the tap got since {@code mark}. */
  private static List<Frame> replies(ModuleHost host, long mark) {
    return host.tap().recent((int) (host.tap().published() - mark)).stream()
        .filter(f -> f.direction() == Frame.Direction.REPLY)
        .toList();
  }

  /** Whether the one read since {@code mark} was answered from memory (latency 0, as known). */
  private static boolean remembered(ModuleHost host, long mark) {
    List<Frame> r = replies(host, mark);
    assertThat(r).hasSize(1);
    return r.get(0).latencyNanos() == 0;
  }

  @Test
  void aReadAskedAgainIsTheUmhsAnswerByteForByteAndShowsInTheTap() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir);
        RawPeer p = RawPeer.welcomed(d.socket())) {
      ModuleHost host = d.host();
      long mark = host.tap().published();
      MboxReply info = info(p);
      assertThat(remembered(host, mark)).isFalse();
      mark = host.tap().published();
      MboxReply infoAgain = info(p);
      assertThat(remembered(host, mark)).isTrue();
      assertThat(infoAgain.payload()).isEqualTo(info.payload());
      // libiptc's GET_INFO has stack garbage after the name, other in every process: the umh
      // reads the name only, and so does the daemon.
      byte[] garbage = new byte[84];
      Arrays.fill(garbage, (byte) 0x7f);
      System.arraycopy("filter\0".getBytes(StandardCharsets.US_ASCII), 0, garbage, 0, 7);
      mark = host.tap().published();
      assertThat(call(p, RawPeer.frame(FrameType.CALL, false, GET_INFO, 84, garbage)).payload())
          .isEqualTo(info.payload());
      assertThat(remembered(host, mark)).isTrue();
      assertThat(host.tap().recent(2).get(0).payload()).isEqualTo(garbage);

      int size = size(info);
      mark = host.tap().published();
      MboxReply entries = entries(p, size);
      assertThat(remembered(host, mark)).isFalse();
      mark = host.tap().published();
      MboxReply again = entries(p, size);
      assertThat(remembered(host, mark)).isTrue();
      assertThat(again.status()).isEqualTo(entries.status()).isEqualTo(40 + size);
      assertThat(again.payload()).isEqualTo(entries.payload());
      // The tap shows the remembered exchange as it showed the umh's: request, then reply.
      List<Frame> tap = host.tap().recent(4);
      assertThat(
              tap.stream()
                  .map(f -> f.direction() + " " + f.cmd() + " " + f.status() + " " + f.len()))
          .containsExactly(
              "REQUEST 65 0 " + (40 + size),
              "REPLY 65 " + (40 + size) + " " + (40 + size),
              "REQUEST 65 0 " + (40 + size),
              "REPLY 65 " + (40 + size) + " " + (40 + size));
      assertThat(tap.get(3).id()).isEqualTo(tap.get(2).id()).isNotEqualTo(tap.get(0).id());
      assertThat(tap.get(3).payload()).isEqualTo(tap.get(1).payload());

      // The same request as a whole CALL (zeros after the head) has the same bytes: remembered.
      byte[] whole = new byte[40 + size];
      System.arraycopy(entries.payload(), 0, whole, 0, 40);
      Arrays.fill(whole, 40, whole.length, (byte) 0);
      mark = host.tap().published();
      assertThat(
              call(p, RawPeer.frame(FrameType.CALL, false, GET_ENTRIES, whole.length, whole))
                  .payload())
          .isEqualTo(entries.payload());
      assertThat(remembered(host, mark)).isTrue();
      // Bytes the umh does not write keep the caller's: another buffer is the umh's to answer.
      Arrays.fill(whole, 40, whole.length, (byte) 0x5a);
      mark = host.tap().published();
      MboxReply dirty =
          call(p, RawPeer.frame(FrameType.CALL, false, GET_ENTRIES, whole.length, whole));
      assertThat(remembered(host, mark)).isFalse();
      assertThat(dirty.payload()).isNotEqualTo(entries.payload());

      // After a set that changes nothing (zeros added), the umh answers again: as remembered.
      assertThat(addCounters(p, entries(info), 0).status()).isZero();
      long afterSet = host.tap().published();
      assertThat(entries(p, size).payload()).isEqualTo(entries.payload());
      assertThat(remembered(host, afterSet)).isFalse();
      mark = host.tap().published();
      assertThat(call(p, RawPeer.frame(FrameType.CALL, false, GET_INFO, 84, garbage)).payload())
          .isEqualTo(info.payload()); // the umh's own answer to the garbage
      assertThat(remembered(host, mark)).isFalse();
      assertThat(info(p).payload()).isEqualTo(info.payload());
    }
  }

  @Test
  void aSetBetweenTwoReadsMakesTheSecondTheUmhsNewState() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir);
        RawPeer p = RawPeer.welcomed(d.socket());
        DaemonClient client = DaemonClient.connect(d.socket())) {
      ModuleHost host = d.host();
      MboxReply info = info(p);
      MboxReply before = entries(p, size(info));
      info(p);
      entries(p, size(info)); // both remembered now

      // counters
      assertThat(addCounters(p, entries(info), 7).status()).isZero();
      MboxReply counted = entries(p, size(info));
      assertThat(firstPackets(counted)).isEqualTo(firstPackets(before) + 7);
      assertThat(entries(p, size(info)).payload()).isEqualTo(counted.payload());

      // a failed set (wrong number of counters) forgets as well; it changed nothing
      assertThat(addCounters(p, entries(info) + 1, 5).status()).isNegative();
      long afterSet = host.tap().published();
      assertThat(entries(p, size(info)).payload()).isEqualTo(counted.payload());
      assertThat(remembered(host, afterSet)).isFalse();

      // entries
      run(iptables(client), "-A", "OUTPUT", "-d", "192.0.2.1", "-j", "DROP");
      MboxReply grown = info(p);
      assertThat(entries(grown)).isEqualTo(entries(info) + 1);
      assertThat(size(grown)).isGreaterThan(size(info));
      MboxReply now = entries(p, size(grown));
      assertThat(now.status()).isEqualTo(40 + size(grown));
      // The commit zeroed INPUT's policy counters, as iptables-legacy -A OUTPUT does on the
      // kernel: the remembered 7 packets are gone with the table they counted.
      assertThat(firstPackets(now)).isZero();
      // the old size is the umh's EAGAIN now, never the remembered old table
      byte[] head = new byte[40];
      System.arraycopy("filter".getBytes(StandardCharsets.US_ASCII), 0, head, 0, 6);
      ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(32, size(info));
      assertThat(
              call(p, RawPeer.frame(FrameType.CALL_HEAD, false, GET_ENTRIES, 40 + size(info), head))
                  .status())
          .isEqualTo(-11);
    }
  }

  @Test
  void aNewUmhIsAskedAgain() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir);
        RawPeer p = RawPeer.welcomed(d.socket());
        DaemonClient client = DaemonClient.connect(d.socket())) {
      ModuleHost host = d.host();
      MboxReply fresh = info(p);
      run(iptables(client), "-A", "OUTPUT", "-d", "192.0.2.1", "-j", "DROP");
      MboxReply grown = info(p);
      assertThat(info(p).payload()).isEqualTo(grown.payload()); // remembered
      entries(p, size(grown));

      // Killed: the next umh starts from the initial table (this daemon keeps no state).
      int first = d.umhPid();
      ProcessHandle.of(first).orElseThrow().destroyForcibly();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (host.state() == ModuleState.HEALTHY && System.nanoTime() < end) {
        Thread.sleep(10); // until the host has noticed the death
      }
      assertThat(host.state()).isNotEqualTo(ModuleState.HEALTHY);
      long mark = host.tap().published();
      MboxReply after = info(p);
      assertThat(after.payload()).isEqualTo(fresh.payload());
      assertThat(replies(host, mark)).allSatisfy(f -> assertThat(f.umhPid()).isNotEqualTo(first));
      assertThat(entries(p, size(after)).status()).isEqualTo(40 + size(fresh));

      // Unloaded and loaded: the same answer, from the new umh, not from memory.
      run(iptables(client), "-A", "OUTPUT", "-d", "192.0.2.2", "-j", "DROP");
      grown = info(p);
      info(p);
      host.unload();
      int third = host.load();
      mark = host.tap().published();
      assertThat(info(p).payload()).isEqualTo(fresh.payload());
      assertThat(replies(host, mark))
          .singleElement()
          .satisfies(f -> assertThat(f.umhPid()).isEqualTo(third))
          .satisfies(f -> assertThat(f.latencyNanos()).isPositive());
    }
  }

  /**
   * Readers on their own connections race a writer: no read sent after a set's reply may show the
   * state before that set (counters first, then entries), nor a state no set has made yet.
   */
  @Test
  void readsRacingSetsNeverSeeWhatASetRepliedOver() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir);
        RawPeer w = RawPeer.welcomed(d.socket());
        DaemonClient client = DaemonClient.connect(d.socket())) {
      int n = entries(info(w));
      int size = size(info(w));
      long base = firstPackets(entries(w, size));
      AtomicLong done = new AtomicLong(); // sets replied to
      AtomicLong started = new AtomicLong(); // sets sent
      AtomicBoolean stop = new AtomicBoolean();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Long>> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
          readers.add(
              pool.submit(
                  () -> {
                    long reads = 0;
                    try (RawPeer p = RawPeer.welcomed(d.socket())) {
                      while (!stop.get()) {
                        long floor = done.get();
                        long got = firstPackets(entries(p, size)) - base;
                        long ceiling = started.get();
                        assertThat(got).as("read %d", reads).isBetween(floor, ceiling);
                        reads++;
                      }
                    }
                    return reads;
                  }));
        }
        for (int i = 0; i < 300; i++) {
          started.incrementAndGet();
          assertThat(addCounters(w, n, 1).status()).isZero();
          done.incrementAndGet();
          if (i % 10 == 0) {
            Thread.sleep(1); // some reads of a settled state, remembered
          }
        }
        stop.set(true);
        long reads = 0;
        for (Future<Long> f : readers) {
          reads += f.get(60, TimeUnit.SECONDS);
        }
        assertThat(reads).isPositive();

        // Entries: each -A appends a rule, so GET_INFO's count only grows.
        stop.set(false);
        int rules0 = entries(info(w));
        AtomicLong appended = new AtomicLong();
        List<Future<Long>> infoReaders = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
          infoReaders.add(
              pool.submit(
                  () -> {
                    long reads2 = 0;
                    try (RawPeer p = RawPeer.welcomed(d.socket())) {
                      while (!stop.get()) {
                        long floor = appended.get();
                        assertThat((long) entries(info(p)) - rules0).isGreaterThanOrEqualTo(floor);
                        reads2++;
                      }
                    }
                    return reads2;
                  }));
        }
        Iptables ipt = iptables(client);
        for (int i = 0; i < 60; i++) {
          run(ipt, "-A", "OUTPUT", "-d", "192.0.2." + (i + 1), "-j", "DROP");
          appended.incrementAndGet();
        }
        stop.set(true);
        for (Future<Long> f : infoReaders) {
          assertThat(f.get(60, TimeUnit.SECONDS)).isPositive();
        }
        assertThat(entries(info(w))).isEqualTo(rules0 + 60);
      } finally {
        stop.set(true);
        pool.shutdownNow();
      }
    }
  }
}

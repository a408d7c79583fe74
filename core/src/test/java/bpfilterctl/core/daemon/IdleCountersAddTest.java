package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.uapi.IptEntry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * libiptc follows every commit with a SET_ADD_COUNTERS of the table's counters, zeros on an idle
 * table. A daemon that commits its tables answers such an add itself (ModuleHost.idleCountersAdd):
 * only when the umh would accept it and change nothing, with the umh's answer, shown in the tap as
 * request and reply with latency 0 (as a known revision's), and without forgetting the remembered
 * reads. Every other add goes to the umh, whose answer a daemon that keeps no state shows.
 */
@Timeout(180)
class IdleCountersAddTest {
  private static final int GET_INFO = Sockopt.IPT_SO_GET_INFO.cmd();
  private static final int GET_ENTRIES = Sockopt.IPT_SO_GET_ENTRIES.cmd();
  private static final int ADD_COUNTERS = Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd();

  @TempDir Path dir;

  private static int call(RawPeer p, boolean set, int cmd, byte[] payload) throws Exception {
    p.send(RawPeer.frame(FrameType.CALL, set, cmd, payload.length, payload));
    DaemonFrame f = p.read(60_000);
    assertThat(RawPeer.describe(f)).isEqualTo("REPLY");
    return ByteBuffer.wrap(f.body()).order(ByteOrder.LITTLE_ENDIAN).getInt();
  }

  private static byte[] named(int size, String name) {
    byte[] b = new byte[size];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, b, 0, n.length);
    return b;
  }

  /** A table's entry count, from GET_INFO. */
  private static int entries(RawPeer p, String table) throws Exception {
    p.send(RawPeer.frame(FrameType.CALL, false, GET_INFO, 84, named(84, table)));
    byte[] b = p.read(60_000).body();
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(4 + 76);
  }

  /**
   * An xt_counters_info naming {@code name}, saying {@code num} counters and holding {@code
   * counters} of them, all zero but the first entry's packets.
   */
  private static byte[] add(String name, int num, int counters, long firstPackets) {
    ByteBuffer b = ByteBuffer.wrap(named(40 + 16 * counters, name)).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(32, num);
    if (counters > 0) {
      b.putLong(40, firstPackets);
    }
    return b.array();
  }

  private static void append(Path socket, String dest) throws Exception {
    try (DaemonClient client = DaemonClient.connect(socket)) {
      StringBuilder err = new StringBuilder();
      int rc =
          new Iptables(ModuleSockopts.of(client), XtExtensions.standard(), Lookups.system())
              .run(List.of("-A", "OUTPUT", "-d", dest, "-j", "DROP"), new StringBuilder(), err);
      assertThat(rc).as(err.toString()).isZero();
    }
  }

  /** The frames the tap got since {@code mark}. */
  private static List<Frame> since(ModuleHost host, long mark) {
    return host.tap().recent((int) (host.tap().published() - mark));
  }

  /**
   * Whether the one caller's call since {@code mark} was answered by the daemon (latency 0); the
   * host's own reads before an add it commits (callerPid 0) aside.
   */
  private static boolean answeredByTheDaemon(ModuleHost host, long mark) {
    List<Frame> f = since(host, mark).stream().filter(x -> x.callerPid() != 0).toList();
    assertThat(f).hasSize(2);
    return f.get(1).latencyNanos() == 0;
  }

  @Test
  void aZeroAddToTheCommittedTableIsTheDaemonsAndForgetsNothing() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.persistent(dir.resolve("a"));
        RawPeer p = RawPeer.welcomed(d.socket())) {
      ModuleHost host = d.host();
      append(d.socket(), "192.0.2.1"); // a commit: filter is now as committed
      int n = entries(p, "filter");
      entries(p, "filter"); // remembered from here on

      long mark = host.tap().published();
      byte[] zeros = add("filter", n, n, 0);
      assertThat(call(p, true, ADD_COUNTERS, zeros)).isZero();
      assertThat(answeredByTheDaemon(host, mark)).isTrue();
      List<Frame> tap = since(host, mark);
      assertThat(tap.stream().map(f -> f.direction() + " " + f.isSet() + " " + f.cmd()))
          .containsExactly("REQUEST true 65", "REPLY true 65");
      assertThat(tap.get(0).payload()).isEqualTo(zeros);
      assertThat(tap.get(1).status()).isZero();
      assertThat(tap.get(1).id()).isEqualTo(tap.get(0).id());

      // The read remembered before the add is still the daemon's: nothing changed.
      mark = host.tap().published();
      assertThat(entries(p, "filter")).isEqualTo(n);
      assertThat(answeredByTheDaemon(host, mark)).isTrue();

      // The kernel reads the name up to its NUL: what follows it is no other table.
      byte[] tail = add("filter", n, n, 0);
      tail[7] = 'x';
      tail[31] = 'y';
      mark = host.tap().published();
      assertThat(call(p, true, ADD_COUNTERS, tail)).isZero();
      assertThat(answeredByTheDaemon(host, mark)).isTrue();

      // A counter that is not zero changes the table: the umh's, and it shows.
      mark = host.tap().published();
      assertThat(call(p, true, ADD_COUNTERS, add("filter", n, n, 9))).isZero();
      assertThat(answeredByTheDaemon(host, mark)).isFalse();
      byte[] head = named(40, "filter");
      p.send(RawPeer.frame(FrameType.CALL, false, GET_INFO, 84, named(84, "filter")));
      int size = ByteBuffer.wrap(p.read(60_000).body()).order(ByteOrder.LITTLE_ENDIAN).getInt(84);
      ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putInt(32, size);
      p.send(RawPeer.frame(FrameType.CALL_HEAD, false, GET_ENTRIES, 40 + size, head));
      byte[] got = p.read(60_000).body();
      assertThat(
              ByteBuffer.wrap(got)
                  .order(ByteOrder.LITTLE_ENDIAN)
                  .getLong(4 + 40 + IptEntry.OFF_COUNTERS))
          .isEqualTo(9);
    }
  }

  /**
   * Each add, sent after the same commit to a daemon that commits (and answers idle adds) and to
   * one that keeps no state (whose umh answers every add): the same status from both, and from the
   * daemon itself only the zero adds of the committed table's exact count and size.
   */
  @Test
  void everyOtherAddIsTheUmhsAndBothDaemonsAnswerAlike() throws Exception {
    try (EmbeddedDaemon committing = EmbeddedDaemon.persistent(dir.resolve("c"));
        EmbeddedDaemon stateless = EmbeddedDaemon.started(dir.resolve("s"));
        RawPeer c = RawPeer.welcomed(committing.socket());
        RawPeer s = RawPeer.welcomed(stateless.socket())) {
      append(committing.socket(), "192.0.2.1");
      append(stateless.socket(), "192.0.2.1");
      int n = entries(c, "filter");
      assertThat(entries(s, "filter")).isEqualTo(n);
      int nat = entries(c, "nat"); // made by the umh on first use: never committed
      assertThat(entries(s, "nat")).isEqualTo(nat);

      Map<String, byte[]> adds = new LinkedHashMap<>();
      adds.put("zeros", add("filter", n, n, 0));
      adds.put("one counter short", add("filter", n - 1, n - 1, 0));
      adds.put("one counter over", add("filter", n + 1, n + 1, 0));
      adds.put("count says more than it holds", add("filter", n + 1, n, 0));
      adds.put("count says less than it holds", add("filter", n - 1, n, 0));
      adds.put("count wraps", add("filter", -1, n, 0));
      adds.put("header only", Arrays.copyOf(add("filter", n, n, 0), 40));
      adds.put("shorter than its header", Arrays.copyOf(add("filter", n, n, 0), 39));
      adds.put("no such table", add("nosuch", n, n, 0));
      adds.put("an unnamed table", add("", n, n, 0));
      adds.put("a table made on first use", add("nat", nat, nat, 0));
      adds.put("packets", add("filter", n, n, 3));
      List<String> idle = List.of("zeros");

      for (Map.Entry<String, byte[]> e : adds.entrySet()) {
        long mark = committing.host().tap().published();
        int ours = call(c, true, ADD_COUNTERS, e.getValue());
        boolean byTheDaemon = answeredByTheDaemon(committing.host(), mark);
        assertThat(ours).as(e.getKey()).isEqualTo(call(s, true, ADD_COUNTERS, e.getValue()));
        assertThat(byTheDaemon).as(e.getKey()).isEqualTo(idle.contains(e.getKey()));
      }
    }
  }
}

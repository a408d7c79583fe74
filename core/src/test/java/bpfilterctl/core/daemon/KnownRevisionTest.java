package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.ModuleHost;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon answers a GET_REVISION its umh answered before on its I/O thread, without the umh:
 * every answer must be the umh's own (the best revision, EPROTONOSUPPORT, ENOENT, EINVAL for a
 * wrong length), every call must still show in the tap as a request and its reply, and a new umh is
 * asked again.
 */
@Timeout(120)
class KnownRevisionTest {
  private static final int MATCH = 66;
  private static final int TARGET = 67;

  @TempDir Path dir;

  private static byte[] revision(int cmd, String name, int rev, int len) {
    byte[] p = new byte[len];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, p, 0, Math.min(n.length, len));
    if (len > 29) {
      p[29] = (byte) rev;
    }
    ByteBuffer b = ByteBuffer.allocate(5 + 24 + len).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1 + 24 + len).put((byte) FrameType.CALL.code());
    b.putLong(0).putInt(len).putInt(0).putInt(cmd).putInt(0).put(p);
    return b.array();
  }

  private static List<byte[]> asks() {
    return List.of(
        revision(MATCH, "tcp", 0, 30),
        revision(MATCH, "tcp", 99, 30),
        revision(MATCH, "nosuch", 0, 30),
        revision(TARGET, "REJECT", 0, 30),
        revision(MATCH, "tcp", 0, 29));
  }

  private static List<String> answers(RawPeer p) throws Exception {
    List<String> out = new ArrayList<>();
    for (byte[] ask : asks()) {
      p.send(ask);
      DaemonFrame f = p.read(30_000);
      assertThat(f.type()).as(RawPeer.describe(f)).isEqualTo(FrameType.REPLY);
      out.add(Arrays.toString(f.body()));
    }
    return out;
  }

  /**
   * A command the daemon runs itself (a one-shot's iptables, through ModuleHost.call) is answered
   * the same way: every such command probes in a session of its own, so the same revisions again.
   */
  @Test
  void aCommandRunInTheDaemonGetsAKnownRevisionWithoutTheUmh() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir)) {
      ModuleHost host = d.host();
      List<String> replies = new ArrayList<>();
      List<Long> latencies = new ArrayList<>();
      for (int round = 0; round < 3; round++) {
        if (round == 2) {
          host.unload();
          host.load(); // a new umh is asked again
        }
        for (String name : List.of("tcp", "nosuch")) {
          byte[] ask = Arrays.copyOf(name.getBytes(StandardCharsets.US_ASCII), 30);
          long mark = host.tap().published();
          MboxReply r = host.call(new MboxRequest(0, false, MATCH, 1, ask), "iptables");
          replies.add(r.status() + " " + Arrays.toString(r.payload()));
          List<Frame> tap = host.tap().recent((int) (host.tap().published() - mark));
          assertThat(tap)
              .extracting(Frame::direction)
              .containsExactly(Frame.Direction.REQUEST, Frame.Direction.REPLY);
          latencies.add(tap.get(1).latencyNanos());
        }
      }
      assertThat(replies.subList(2, 4)).isEqualTo(replies.subList(0, 2));
      assertThat(replies.subList(4, 6)).isEqualTo(replies.subList(0, 2));
      assertThat(replies.get(1)).startsWith("-2 "); // ENOENT from the umh, as xt_find_revision
      // the umh's round trips have a latency; the known answers none
      assertThat(latencies.subList(0, 2)).allSatisfy(l -> assertThat(l).isPositive());
      assertThat(latencies.subList(2, 4)).containsExactly(0L, 0L);
      assertThat(latencies.subList(4, 6)).allSatisfy(l -> assertThat(l).isPositive());
    }
  }

  @Test
  void aRevisionAskedAgainGetsTheUmhsAnswerAndShowsInTheTap() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir)) {
      ModuleHost host = d.host();
      int first = d.umhPid();
      try (RawPeer p = new RawPeer(d.socket())) {
        p.send(RawPeer.hello(1));
        assertThat(RawPeer.describe(p.read(30_000))).isEqualTo("WELCOME");
        long before = host.tap().published();
        List<String> fromUmh = answers(p);
        List<String> again = answers(p);
        assertThat(again).isEqualTo(fromUmh);
        assertThat(fromUmh.get(0)).startsWith("[30, 0, 0, 0"); // the ask itself, status 30
        List<Frame> tap = host.tap().recent((int) (host.tap().published() - before));
        assertThat(tap).hasSize(4 * asks().size());
        for (int i = 0; i < tap.size(); i += 2) {
          assertThat(tap.get(i).direction()).isEqualTo(Frame.Direction.REQUEST);
          assertThat(tap.get(i + 1).direction()).isEqualTo(Frame.Direction.REPLY);
          assertThat(tap.get(i + 1).id()).isEqualTo(tap.get(i).id());
          assertThat(tap.get(i).umhPid()).isEqualTo(first);
        }
        assertThat(
                tap.subList(2 * asks().size(), tap.size()).stream()
                    .map(f -> f.direction() + " " + f.cmd() + " " + f.status() + " " + f.len())
                    .toList())
            .isEqualTo(
                tap.subList(0, 2 * asks().size()).stream()
                    .map(f -> f.direction() + " " + f.cmd() + " " + f.status() + " " + f.len())
                    .toList());

        host.unload();
        int second = host.load();
        long mark = host.tap().published();
        assertThat(answers(p)).isEqualTo(fromUmh);
        List<Frame> fresh = host.tap().recent((int) (host.tap().published() - mark));
        assertThat(fresh).isNotEmpty().allSatisfy(f -> assertThat(f.umhPid()).isEqualTo(second));
      }
    }
  }
}

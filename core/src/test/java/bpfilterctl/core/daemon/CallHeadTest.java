package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.module.ModuleException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * CALL_HEAD (docs/daemon-protocol.md): a CALL cut after its head is answered as the whole CALL with
 * zeros after the head, for gets and sets, also when it follows HELLO in the same write; what it
 * may not be (a length shorter than what came or beyond a frame) is refused and the connection
 * stays in step.
 */
@Timeout(120)
class CallHeadTest {
  private static final int GET_INFO = 64;
  private static final int GET_ENTRIES = 65;
  private static final int ADD_COUNTERS = 65;

  @TempDir Path dir;

  /** ipt_get_entries' head: the table name and the size. */
  private static byte[] entriesHead(String table, int size) {
    ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
    b.put(table.getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(32, size);
    return b.array();
  }

  private static MboxReply reply(RawPeer p) throws Exception {
    DaemonFrame f = p.read(30_000);
    assertThat(RawPeer.describe(f)).isEqualTo("REPLY");
    byte[] b = f.body();
    return new MboxReply(
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(),
        java.util.Arrays.copyOfRange(b, 4, b.length));
  }

  @Test
  void aHeadIsAnsweredAsItsWholeCallAndWhatItMayNotBeIsRefused() throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir);
        RawPeer p = new RawPeer(d.socket())) {
      talk(d.server(), p);
    }
  }

  private static void talk(DaemonServer server, RawPeer p) throws Exception {
    byte[] info = new byte[84];
    System.arraycopy("filter".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, info, 0, 6);
    // HELLO and the first CALL in one write, as the hook sends them
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(RawPeer.hello(1));
    both.write(RawPeer.frame(FrameType.CALL, false, GET_INFO, 84, info));
    p.send(both.toByteArray());
    assertThat(RawPeer.describe(p.read(30_000))).isEqualTo("WELCOME");
    MboxReply got = reply(p);
    assertThat(got.status()).isEqualTo(84);
    int size = ByteBuffer.wrap(got.payload()).order(ByteOrder.LITTLE_ENDIAN).getInt(80);
    assertThat(size).isPositive();

    byte[] whole = new byte[40 + size];
    System.arraycopy(entriesHead("filter", size), 0, whole, 0, 40);
    p.send(RawPeer.frame(FrameType.CALL, false, GET_ENTRIES, 40 + size, whole));
    MboxReply full = reply(p);
    p.send(
        RawPeer.frame(
            FrameType.CALL_HEAD, false, GET_ENTRIES, 40 + size, entriesHead("filter", size)));
    MboxReply head = reply(p);
    assertThat(full.status()).isEqualTo(40 + size);
    assertThat(head.status()).isEqualTo(full.status());
    assertThat(head.payload()).isEqualTo(full.payload());
    // the umh's own answers to heads that do not match: another size, another table
    p.send(
        RawPeer.frame(
            FrameType.CALL_HEAD, false, GET_ENTRIES, 32 + size, entriesHead("filter", size - 8)));
    assertThat(reply(p).status()).isEqualTo(-11); // EAGAIN
    p.send(
        RawPeer.frame(
            FrameType.CALL_HEAD, false, GET_ENTRIES, 40 + size, entriesHead("nosuch", size)));
    assertThat(reply(p).status()).isEqualTo(-2); // ENOENT

    // a set whose zeros are left out: SET_ADD_COUNTERS adding nothing, right and wrong counts
    int entries = ByteBuffer.wrap(got.payload()).order(ByteOrder.LITTLE_ENDIAN).getInt(76);
    for (int n : List.of(entries, entries + 1)) {
      byte[] add = new byte[40 + 16 * n];
      ByteBuffer.wrap(add).order(ByteOrder.LITTLE_ENDIAN).put(entriesHead("filter", n), 0, 36);
      p.send(RawPeer.frame(FrameType.CALL, true, ADD_COUNTERS, add.length, add));
      int answer = reply(p).status();
      p.send(
          RawPeer.frame(
              FrameType.CALL_HEAD, true, ADD_COUNTERS, add.length, Arrays.copyOf(add, 40)));
      assertThat(reply(p).status()).as("%d counters", n).isEqualTo(answer);
      assertThat(answer).isEqualTo(n == entries ? 0 : -22);
    }

    for (byte[] bad :
        List.of(
            RawPeer.frame(FrameType.CALL_HEAD, false, GET_ENTRIES, 20, entriesHead("filter", size)),
            RawPeer.frame(FrameType.CALL_HEAD, false, GET_ENTRIES, -1, entriesHead("filter", size)),
            new byte[] {
              11, 0, 0, 0, (byte) FrameType.CALL_HEAD.code(), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
            })) {
      p.send(bad);
      assertThat(RawPeer.describe(p.read(30_000)))
          .startsWith("FAIL " + ModuleException.Kind.DAEMON.ordinal() + " CALL_HEAD");
    }
    assertThat(server.bufferedBytes()).isZero();
    p.send(DaemonFrame.text(FrameType.CONTROL, "status").encode());
    assertThat(RawPeer.describe(p.read(30_000))).as("still in step").isEqualTo("TEXT");
  }
}

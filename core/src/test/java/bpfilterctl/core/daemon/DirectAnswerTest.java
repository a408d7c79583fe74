package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker sends its answer itself when nothing is queued ahead of it, instead of handing it back
 * to the I/O thread: answers must still come whole and in order behind requests sent in one write,
 * and a client that hangs up while its call runs must never have its fd closed under the worker
 * (the number would go to the next connection) nor left open.
 */
@Timeout(120)
class DirectAnswerTest {
  private static final int GET_INFO = 64;

  @TempDir Path dir;

  private static byte[] getInfo(String table) {
    ByteBuffer b = ByteBuffer.allocate(5 + 24 + 84).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(1 + 24 + 84).put((byte) FrameType.CALL.code());
    b.putLong(0).putInt(84).putInt(0).putInt(GET_INFO).putInt(0);
    b.put(table.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  /** REPLY STATUS NAME for a GET_INFO answer, else what RawPeer says of the frame. */
  private static String describe(DaemonFrame f) {
    if (f == null || f.type() != FrameType.REPLY) {
      return f != null && f.type() == FrameType.TEXT && f.body().length < 16
          ? "TEXT " + f.bodyText()
          : RawPeer.describe(f);
    }
    ByteBuffer b = ByteBuffer.wrap(f.body()).order(ByteOrder.LITTLE_ENDIAN);
    int status = b.getInt(0);
    String name =
        f.body().length >= 4 + 32 ? new String(f.body(), 4, 32, StandardCharsets.US_ASCII) : "";
    return "REPLY " + status + " " + name.replace("\0", "");
  }

  private interface Body {
    void run(DaemonServer server) throws Exception;
  }

  private void withDaemon(Body body) throws Exception {
    try (EmbeddedDaemon d = EmbeddedDaemon.started(dir)) {
      body.run(d.server());
    }
  }

  @Test
  void requestsSentInOneWriteAreAnsweredWholeAndInOrder() throws Exception {
    withDaemon(
        server -> {
          try (RawPeer p = new RawPeer(dir.resolve("d.sock"))) {
            for (int round = 0; round < 20; round++) {
              ByteArrayOutputStream all = new ByteArrayOutputStream();
              if (round == 0) {
                all.write(RawPeer.hello(1));
              }
              all.write(getInfo("filter"));
              all.write(getInfo("nosuch"));
              all.write(DaemonFrame.text(FrameType.CONTROL, "access").encode());
              all.write(getInfo("filter"));
              p.send(all.toByteArray());
              List<String> got = new ArrayList<>();
              for (int i = round == 0 ? 0 : 1; i < 5; i++) {
                got.add(describe(p.read(30_000)));
              }
              List<String> want = new ArrayList<>();
              if (round == 0) {
                want.add("WELCOME");
              }
              want.addAll(List.of("REPLY 84 filter", "REPLY -2 ", "TEXT write", "REPLY 84 filter"));
              assertThat(got).as("round %d", round).isEqualTo(want);
            }
          }
          assertThat(server.bufferedBytes()).isZero();
        });
  }

  @Test
  void clientsThatHangUpWhileTheirCallRunsLeaveNoFdAndDisturbNoOne() throws Exception {
    withDaemon(
        server -> {
          Path sock = dir.resolve("d.sock");
          try (RawPeer steady = new RawPeer(sock)) {
            steady.send(RawPeer.hello(1));
            assertThat(describe(steady.read(30_000))).isEqualTo("WELCOME");
            long before = openFds();
            for (int i = 0; i < 200; i++) {
              try (RawPeer gone = new RawPeer(sock)) {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.write(RawPeer.hello(2));
                b.write(getInfo("filter"));
                gone.send(b.toByteArray());
              } // hung up before the answer: the daemon drops it while a worker may be sending
              steady.send(getInfo("filter"));
              assertThat(describe(steady.read(30_000)))
                  .as("call %d", i)
                  .isEqualTo("REPLY 84 filter");
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (openFds() > before && System.nanoTime() < end) {
              Thread.sleep(20);
            }
            assertThat(openFds()).as("fds left open").isLessThanOrEqualTo(before);
            steady.send(DaemonFrame.text(FrameType.CONTROL, "access").encode());
            assertThat(describe(steady.read(30_000))).isEqualTo("TEXT write");
          }
          assertThat(server.bufferedBytes()).isZero();
        });
  }

  private static long openFds() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
      return s.count();
    }
  }
}

package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.FakeTableCalls;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Many clients at once, and a daemon killed at random points: answers stay right, commits stay. */
class DaemonLoadTest {
  @TempDir Path dir;

  private Process startDaemon(Path sock, Path state) throws Exception {
    List<String> cmd = new ArrayList<>(JavaCommand.daemon(DaemonForTest.class.getName()));
    cmd.addAll(List.of(sock.toString(), state.toString()));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertThat(r.readLine()).startsWith("ready");
    return p;
  }

  @Test
  @Timeout(300)
  void tenClientsOfTwoHundredMixedRequestsAreAllAnsweredRight() throws Exception {
    clients(10, 200);
  }

  @Test
  @Tag("soak")
  @Timeout(1800)
  void fiftyClientsOfAThousandMixedRequestsAreAllAnsweredRight() throws Exception {
    clients(50, 1000);
  }

  private void clients(int clients, int requests) throws Exception {
    Path sock = dir.resolve("d.sock");
    Process daemon = startDaemon(sock, dir.resolve("state"));
    try (DaemonClient admin = DaemonClient.connect(sock)) {
      admin.load();
      ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        int id = c;
        Thread t =
            new Thread(
                () -> {
                  String table = "t" + id;
                  try (DaemonClient cl = DaemonClient.connect(sock)) {
                    byte[] expected = null;
                    for (int i = 0; i < requests; i++) {
                      if (i % 100 == 0) {
                        int entries = 1 + (i / 100) % 5;
                        FakeTableCalls.replace(
                            cl, FakeTableCalls.blob(table, entries, id * 1000 + i));
                        FakeTableCalls.addCounters(cl, table, entries, i);
                        expected = FakeTableCalls.dump(cl, table);
                      } else if (i % 3 == 0) {
                        if (!Arrays.equals(FakeTableCalls.dump(cl, table), expected)) {
                          wrong.add(table + " request " + i + ": another table's content");
                        }
                      } else {
                        MboxReply r = cl.call(MboxRequest.handshake(0));
                        if (r.status() != 0) {
                          wrong.add(table + " ping " + i + " got " + r.status());
                        }
                      }
                    }
                  } catch (Exception e) {
                    wrong.add(table + ": " + e);
                  }
                });
        t.start();
        threads.add(t);
      }
      for (Thread t : threads) {
        t.join();
      }
      assertThat(wrong).isEmpty();
      assertThat(admin.status().errors()).isZero();
    } finally {
      daemon.destroyForcibly().waitFor();
    }
  }

  /** Each round starts a daemon JVM and its umh: 3 rounds here, the hundred in the soak profile. */
  @Test
  @Timeout(300)
  void aDaemonKilledAtRandomPointsThreeTimesLosesNoAcknowledgedCommit() throws Exception {
    killRounds(3);
  }

  @Test
  @Tag("soak")
  @Timeout(1800)
  void aDaemonKilledAtRandomPointsLosesNoAcknowledgedCommit() throws Exception {
    killRounds(100);
  }

  private void killRounds(int rounds) throws Exception {
    Path sock = dir.resolve("d.sock");
    Path state = dir.resolve("state");
    Random rnd = new Random(11);
    byte[] acked = null;
    byte[] inFlightBefore = null;
    for (int round = 0; round < rounds; round++) {
      Process daemon = startDaemon(sock, state);
      AtomicReference<byte[]> lastAcked = new AtomicReference<>(acked);
      AtomicReference<byte[]> inFlight = new AtomicReference<>();
      try (DaemonClient c = DaemonClient.connect(sock)) {
        c.load();
        byte[] now = FakeTableCalls.dump(c, "filter");
        if (acked != null && !Arrays.equals(now, acked)) {
          // Killed between the rename and the reply: the one in flight may be there, unacked.
          assertThat(Arrays.copyOf(now, inFlightBefore.length))
              .as("round %d: neither the last acknowledged table nor the one in flight", round)
              .isEqualTo(normalized(inFlightBefore));
        }
        lastAcked.set(now);
        int base = round * 1000;
        Thread writer =
            new Thread(
                () -> {
                  try (DaemonClient w = DaemonClient.connect(sock)) {
                    for (int i = 0; ; i++) {
                      int entries = 1 + (base + i) % 7;
                      byte[] b = FakeTableCalls.blob("filter", entries, base + i);
                      inFlight.set(b);
                      if (!FakeTableCalls.replace(w, b).isError()
                          && FakeTableCalls.addCounters(w, "filter", entries, i).status() == 0) {
                        lastAcked.set(FakeTableCalls.dump(w, "filter"));
                      }
                    }
                  } catch (Exception e) {
                    // the daemon was killed under us: expected
                  }
                });
        writer.start();
        Thread.sleep(20 + rnd.nextInt(150));
        daemon.destroyForcibly().waitFor();
        writer.join();
      } finally {
        // also when an assertion above failed: no daemon may outlive the test
        daemon.destroyForcibly().waitFor();
      }
      acked = lastAcked.get();
      inFlightBefore = inFlight.get();
    }
    assertThat(acked).as("some commits were acknowledged").isNotNull();
    Process daemon = startDaemon(sock, state);
    try (DaemonClient c = DaemonClient.connect(sock)) {
      c.load();
      byte[] now = FakeTableCalls.dump(c, "filter");
      if (!Arrays.equals(now, acked)) {
        assertThat(Arrays.copyOf(now, inFlightBefore.length)).isEqualTo(normalized(inFlightBefore));
      }
    } finally {
      daemon.destroyForcibly().waitFor();
    }
  }

  /** A replace blob as the umh keeps it: num_counters and the counters pointer zeroed. */
  private static byte[] normalized(byte[] blob) {
    byte[] b = blob.clone();
    Arrays.fill(b, 84, 96, (byte) 0);
    return b;
  }
}

package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.FakeTableCalls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's load test: honest clients beside malicious ones (header-only frames, a byte at a time,
 * garbage, hanging up mid-frame). Every honest request is answered right, the daemon's RSS and
 * threads stay bounded, and its threads come back down. The short version runs by default, the full
 * one (200 malicious, 20 x 1,000 honest) with -Psoak.
 */
class DaemonAbuseLoadTest {
  @TempDir Path dir;

  @Test
  @Timeout(300)
  void honestClientsAreAnsweredRightBesideMaliciousOnes() throws Exception {
    run(40, 20, 100);
  }

  @Test
  @Tag("soak")
  @Timeout(1800)
  void twoHundredMaliciousBesideTwentyHonestOfAThousandRequests() throws Exception {
    run(200, 20, 1000);
  }

  private record Sample(long rssKib, int threads) {}

  private static Sample sample(long pid) throws IOException {
    long rss = 0;
    int threads = 0;
    for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (l.startsWith("VmRSS:")) {
        rss = Long.parseLong(l.substring(6).trim().split("\\s+")[0]);
      } else if (l.startsWith("Threads:")) {
        threads = Integer.parseInt(l.substring(8).trim());
      }
    }
    return new Sample(rss, threads);
  }

  private void run(int malicious, int honest, int requests) throws Exception {
    Path sock = dir.resolve("d.sock");
    List<String> cmd =
        new ArrayList<>(JavaCommand.daemon(DaemonForTest.class.getName(), "-Xmx256m"));
    cmd.addAll(List.of(sock.toString(), dir.resolve("state").toString()));
    Process daemon = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> attackers = new ArrayList<>();
    try {
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine()).startsWith("ready");
      try (DaemonClient admin = DaemonClient.connect(sock)) {
        admin.load();
      }
      Sample base = sample(daemon.pid());
      for (int i = 0; i < malicious; i++) {
        int kind = i % 4;
        Thread t = new Thread(() -> attack(sock, kind, stop), "attacker-" + i);
        t.setDaemon(true);
        t.start();
        attackers.add(t);
      }
      AtomicLong peakRss = new AtomicLong();
      AtomicLong peakThreads = new AtomicLong();
      Thread sampler =
          new Thread(
              () -> {
                while (!stop.get()) {
                  try {
                    Sample s = sample(daemon.pid());
                    peakRss.accumulateAndGet(s.rssKib(), Math::max);
                    peakThreads.accumulateAndGet(s.threads(), Math::max);
                    Thread.sleep(100);
                  } catch (IOException | InterruptedException e) {
                    return;
                  }
                }
              });
      sampler.start();
      ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < honest; c++) {
        int id = c;
        Thread t = new Thread(() -> honest(sock, id, requests, wrong));
        t.start();
        clients.add(t);
      }
      for (Thread t : clients) {
        t.join();
      }
      stop.set(true);
      sampler.join();
      for (Thread t : attackers) {
        t.join(10_000);
      }
      System.out.printf(
          "abuse load %d/%d x %d: daemon RSS %d -> peak %d KiB, threads %d -> peak %d%n",
          malicious,
          honest,
          requests,
          base.rssKib(),
          peakRss.get(),
          base.threads(),
          peakThreads.get());
      assertThat(wrong).as("honest requests answered wrong or not at all").isEmpty();
      assertThat(peakRss.get())
          .as("peak RSS (KiB) of the daemon, %d KiB before", base.rssKib())
          .isLessThan(768L << 10);
      assertThat(peakThreads.get())
          .as("peak threads of the daemon, %d before", base.threads())
          .isLessThan(base.threads() + 20L);
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (sample(daemon.pid()).threads() > base.threads() + 4 && System.nanoTime() < end) {
        Thread.sleep(50);
      }
      assertThat(sample(daemon.pid()).threads())
          .as("threads once the load is gone")
          .isLessThanOrEqualTo(base.threads() + 4);
      try (DaemonClient c = DaemonClient.connect(sock, Duration.ofSeconds(10))) {
        assertThat(c.status().errors()).as("host-side errors").isZero();
      }
    } finally {
      stop.set(true);
      daemon.destroyForcibly().waitFor();
    }
  }

  private static void honest(Path sock, int id, int requests, ConcurrentLinkedQueue<String> wrong) {
    String table = "t" + id;
    try (DaemonClient cl = DaemonClient.connect(sock, Duration.ofSeconds(60))) {
      byte[] expected = null;
      for (int i = 0; i < requests; i++) {
        if (i % 50 == 0) {
          int entries = 1 + (i / 50) % 5;
          FakeTableCalls.replace(cl, FakeTableCalls.blob(table, entries, id * 1000 + i));
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
  }

  /** One attacker: 0 header-only, 1 a byte at a time, 2 garbage, 3 hanging up mid-frame. */
  private static void attack(Path sock, int kind, AtomicBoolean stop) {
    Random rnd = new Random(kind);
    while (!stop.get()) {
      try (RawPeer p = new RawPeer(sock)) {
        switch (kind) {
          case 0 -> {
            p.send(RawPeer.hello(1)).read(10_000);
            p.send(RawPeer.callHead(true, 64, 100 << 20));
            while (!stop.get() && p.ch.isOpen()) {
              Thread.sleep(100);
            }
          }
          case 1 -> {
            for (byte b : RawPeer.hello(1)) {
              if (stop.get()) {
                break;
              }
              p.send(new byte[] {b});
              Thread.sleep(700); // slower than the HELLO deadline allows
            }
            p.read(10_000);
          }
          case 2 -> {
            byte[] junk = new byte[64];
            rnd.nextBytes(junk);
            p.send(junk);
            p.read(10_000);
          }
          default -> {
            p.send(RawPeer.hello(1)).read(10_000);
            p.send(Arrays.copyOf(RawPeer.callHead(false, 65, 1 << 20), 20));
          }
        }
      } catch (Exception e) {
        // refused, dropped or timed out: what a hostile client gets; try again
      }
    }
  }
}

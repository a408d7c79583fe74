package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Clients can follow the daemon's pipe traffic and log as they happen. */
class DaemonSubscriptionTest {
  @TempDir Path dir;

  @Test
  void aLateClientGetsTheFramesBeforeItCame() throws Exception {
    Path sock = dir.resolve("d.sock");
    HostConfig cfg =
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ZERO)
            .build();
    try (ModuleHost host = new ModuleHost(cfg);
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      try (DaemonClient c = DaemonClient.connect(sock)) {
        c.load();
        c.ping();
      }
      try (DaemonClient late = DaemonClient.connect(sock)) {
        List<bpfilterctl.core.module.Frame> recent = late.recentFrames(10);
        // the load's handshake and the ping: a request and a reply each, oldest first
        assertThat(recent).hasSize(4);
        assertThat(recent.get(0).direction())
            .isEqualTo(bpfilterctl.core.module.Frame.Direction.REQUEST);
        assertThat(recent.get(3).direction())
            .isEqualTo(bpfilterctl.core.module.Frame.Direction.REPLY);
        assertThat(recent).extracting(bpfilterctl.core.module.Frame::seq).isSorted();
        assertThat(late.recentFrames(1)).containsExactly(recent.get(3));
      }
    }
  }

  @Test
  void aSubscriberSeesEveryFrameOfAnotherClientsCallAndTheLog() throws Exception {
    Path sock = dir.resolve("d.sock");
    HostConfig cfg =
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ZERO)
            .build();
    try (ModuleHost host = new ModuleHost(cfg);
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      List<Map<String, Object>> frames = new CopyOnWriteArrayList<>();
      List<Map<String, Object>> logs = new CopyOnWriteArrayList<>();
      CountDownLatch twoFrames = new CountDownLatch(2);
      CountDownLatch aLine = new CountDownLatch(1);
      DaemonClient traffic = DaemonClient.connect(sock);
      DaemonClient log = DaemonClient.connect(sock);
      CountDownLatch inPlace = new CountDownLatch(2);
      Thread t1 = follow(traffic, "traffic", frames, twoFrames, inPlace);
      Thread t2 = follow(log, "log", logs, aLine, inPlace);
      assertThat(inPlace.await(10, TimeUnit.SECONDS)).as("the daemon confirmed both").isTrue();
      try (DaemonClient c = DaemonClient.connect(sock)) {
        c.load();
        assertThat(aLine.await(10, TimeUnit.SECONDS)).isTrue();
        // the load's handshake is a request and a reply too
        assertThat(twoFrames.await(10, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(frames.get(0))
          .containsEntry("dir", "request")
          .containsEntry("option", "HANDSHAKE");
      assertThat(frames.get(1)).containsEntry("dir", "reply").containsEntry("status", 0L);
      assertThat(frames.get(1).get("id")).isEqualTo(frames.get(0).get("id"));
      assertThat(logs).anySatisfy(l -> assertThat((String) l.get("text")).contains("umh"));
      traffic.close();
      log.close();
      t1.join(5000);
      t2.join(5000);
    }
  }

  private static Thread follow(
      DaemonClient c,
      String what,
      List<Map<String, Object>> into,
      CountDownLatch latch,
      CountDownLatch inPlace) {
    Thread t =
        new Thread(
            () -> {
              try {
                c.subscribe(
                    what,
                    inPlace::countDown,
                    line -> {
                      into.add(JsonReader.parseObject(line));
                      latch.countDown();
                      return true;
                    });
              } catch (Exception e) {
                // closed by the test
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }
}

package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.UmhImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, items 1 and 2: no client can lock the daemon up or make it allocate before it reads.
 */
@Timeout(120)
class DaemonHardeningTest {
  @TempDir Path dir;

  private static ModuleHost newHost() {
    return new ModuleHost(
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ZERO)
            .build());
  }

  private static AccessPolicy rootOnly() {
    return new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty());
  }

  private static DaemonServer started(DaemonServer s) throws IOException {
    s.start();
    return s;
  }

  /** Connects, retrying while the daemon still counts connections that were just closed. */
  private static DaemonClient connectWhenRoom(Path sock) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return DaemonClient.connect(sock, Duration.ofSeconds(10));
      } catch (ModuleException e) {
        if (!e.getMessage().contains("too many connections") || System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  @Test
  void acceptBacksOffOnEmfileAndGoesOn() throws Exception {
    Require.that(Files.isExecutable(Path.of("/usr/bin/prlimit")), "needs prlimit");
    Path sock = dir.resolve("d.sock");
    // 256 fds, of which the daemon holds 150 on /dev/null: accept meets EMFILE well before the
    // connection cap (256 - 64) that assumes the fds are free.
    List<String> cmd = new ArrayList<>(List.of("/usr/bin/prlimit", "--nofile=256:256"));
    cmd.addAll(JavaCommand.daemon(DaemonForTest.class.getName()));
    cmd.addAll(List.of(sock.toString(), dir.resolve("state").toString(), "150"));
    Process daemon = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine()).isEqualTo("ready 150");
      List<RawPeer> peers = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        peers.add(new RawPeer(sock).send(RawPeer.hello(1)));
      }
      for (RawPeer p : peers) {
        p.close();
      }
      try (DaemonClient c = DaemonClient.connect(sock, Duration.ofSeconds(20))) {
        assertThat(c.status().state()).isEqualTo(ModuleState.UNLOADED);
        assertThat(c.log(1000))
            .as("the daemon says it backed off")
            .anySatisfy(l -> assertThat(l.text()).contains("accept failed: EMFILE"));
      }
    } finally {
      daemon.destroyForcibly().waitFor();
    }
  }

  @Test
  void connectionsBeyondTheCapAreToldSoAndClosed() throws Exception {
    Path sock = dir.resolve("d.sock");
    DaemonLimits limits = DaemonLimits.defaults().withMaxConnections(10, 10);
    try (ModuleHost host = newHost();
        DaemonServer server = new DaemonServer(host, sock, rootOnly(), limits)) {
      server.start();
      List<RawPeer> peers = new ArrayList<>();
      try {
        for (int i = 0; i < 10; i++) {
          RawPeer p = new RawPeer(sock).send(RawPeer.hello(1));
          assertThat(RawPeer.describe(p.read(5000))).isEqualTo("WELCOME");
          peers.add(p);
        }
        try (RawPeer extra = new RawPeer(sock)) {
          assertThat(RawPeer.describe(extra.read(5000))).contains("too many connections (10)");
          assertThat(extra.read(5000)).isNull();
        }
      } finally {
        for (RawPeer p : peers) {
          p.close();
        }
      }
      try (DaemonClient c = connectWhenRoom(sock)) {
        assertThat(c.status().state()).as("room again once they left").isNotNull();
      }
    }
  }

  @Test
  void aPeerSlowToSayHelloOrStuckInAFrameIsDropped() throws Exception {
    Path sock = dir.resolve("d.sock");
    DaemonLimits limits =
        DaemonLimits.defaults()
            .withTimeouts(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofSeconds(30));
    try (ModuleHost host = newHost();
        DaemonServer server = started(new DaemonServer(host, sock, rootOnly(), limits));
        RawPeer silent = new RawPeer(sock)) {
      assertThat(server.socket()).isEqualTo(sock);
      assertThat(RawPeer.describe(silent.read(5000))).contains("no HELLO within 300 ms");
      assertThat(silent.read(5000)).isNull();
      try (RawPeer stuck = new RawPeer(sock)) {
        stuckMidFrame(stuck);
      }
    }
  }

  private static void stuckMidFrame(RawPeer stuck) throws Exception {
    stuck.send(RawPeer.hello(1));
    assertThat(RawPeer.describe(stuck.read(5000))).isEqualTo("WELCOME");
    stuck.send(new byte[] {50, 0, 0});
    assertThat(RawPeer.describe(stuck.read(5000))).contains("in the middle of a frame");
    assertThat(stuck.read(5000)).isNull();
  }

  @Test
  void idleConnectionsCostNoThreadAndHeaderOnlyFramesNoMemory() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = newHost();
        DaemonServer server = new DaemonServer(host, sock, rootOnly())) {
      server.start();
      int threadsBefore = ManagementFactory.getThreadMXBean().getThreadCount();
      List<RawPeer> peers = new ArrayList<>();
      try {
        for (int i = 0; i < 300; i++) {
          RawPeer p = new RawPeer(sock).send(RawPeer.hello(1));
          peers.add(p);
        }
        for (RawPeer p : peers) {
          assertThat(RawPeer.describe(p.read(10_000))).isEqualTo("WELCOME");
        }
        // 26 frames that announce 256 MiB each (an admin's CALL: the largest allowed) and stop.
        for (int i = 0; i < 26; i++) {
          peers.get(i).send(RawPeer.callHead(true, 64, DaemonFrame.MAX_BODY - 24));
        }
        try (DaemonClient c = DaemonClient.connect(sock, Duration.ofSeconds(10))) {
          assertThat(c.status().state()).isEqualTo(ModuleState.UNLOADED);
        }
        assertThat(ManagementFactory.getThreadMXBean().getThreadCount() - threadsBefore)
            .as("threads for 300 idle connections")
            .isLessThan(10);
        assertThat(server.bufferedBytes())
            .as("bytes held for 26 header-only 256 MiB frames")
            .isLessThanOrEqualTo(26L * (64 << 10));
        try (RawPeer liar = new RawPeer(sock)) {
          liar.send(RawPeer.hello(1)).read(5000);
          liar.send(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 3});
          assertThat(RawPeer.describe(liar.read(5000))).contains("bad frame length 4294967295");
          assertThat(liar.read(5000)).isNull();
        }
      } finally {
        for (RawPeer p : peers) {
          p.close();
        }
      }
    }
  }

  @Test
  void badControlArgumentsAndUnknownFramesGetAOneLineFail() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = newHost();
        DaemonServer server = started(new DaemonServer(host, sock, rootOnly()));
        RawPeer p = new RawPeer(sock)) {
      assertThat(server.socket()).isEqualTo(sock);
      p.send(RawPeer.hello(1));
      assertThat(RawPeer.describe(p.read(5000))).isEqualTo("WELCOME");
      for (String cmd : List.of("log -1", "log 99999999999999999999", "traffic -5", "load x")) {
        p.send(DaemonFrame.text(FrameType.CONTROL, cmd).encode());
        assertThat(RawPeer.describe(p.read(5000)))
            .as(cmd)
            .startsWith("FAIL " + ModuleException.Kind.DAEMON.ordinal())
            .doesNotContain("Exception")
            .doesNotContain("\n");
      }
      p.send(new byte[] {3, 0, 0, 0, 42, 1, 2});
      assertThat(RawPeer.describe(p.read(5000))).contains("unexpected frame type 42");
      p.send(DaemonFrame.text(FrameType.CONTROL, "status").encode());
      assertThat(RawPeer.describe(p.read(5000))).as("still in step").isEqualTo("TEXT");
    }
  }

  @Test
  void theSocketDirMustBeTheDaemonsAlone() throws Exception {
    Path open = Files.createDirectory(dir.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (ModuleHost host = newHost();
        DaemonServer server = new DaemonServer(host, open.resolve("d.sock"), rootOnly())) {
      IOException e =
          org.junit.jupiter.api.Assertions.assertThrows(IOException.class, server::start);
      assertThat(e.getMessage()).contains("writable by group or others");
    }
    assertThat(open.resolve("d.sock.lock")).doesNotExist();
  }
}

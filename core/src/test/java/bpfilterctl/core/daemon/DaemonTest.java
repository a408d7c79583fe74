package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.UmhImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DaemonTest {
  @TempDir Path dir;

  private ModuleHost newHost() {
    return new ModuleHost(
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ZERO)
            .build());
  }

  private AccessPolicy selfOnly() {
    return new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty());
  }

  @Test
  void aClientLoadsCallsAndReadsStatusThroughTheSocket() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = newHost();
        DaemonServer server = new DaemonServer(host, sock, selfOnly())) {
      server.start();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
          .isEqualTo("rw-rw----");
      try (DaemonClient c = DaemonClient.connect(sock)) {
        int pid = c.load();
        assertThat(c.status().state()).isEqualTo(ModuleState.HEALTHY);
        assertThat(c.status().umhPid()).isEqualTo(pid);
        assertThat(c.ping().status()).isZero();
        MboxReply r = c.call(new MboxRequest(0, false, 64, 0, new byte[84]));
        assertThat(r.describeStatus()).isEqualTo("ENOPROTOOPT");
        assertThat(host.tap().recent(1).get(0).callerPid())
            .as("the umh sees the client's real pid")
            .isEqualTo((int) ProcessHandle.current().pid());
        assertThat(c.log(10)).anySatisfy(l -> assertThat(l.text()).contains("healthy in"));
        c.unload();
        assertThat(c.status().state()).isEqualTo(ModuleState.UNLOADED);
      }
    }
    assertThat(sock).doesNotExist();
  }

  @Test
  void aClientOfAnotherVersionGetsAClearErrorNotAHang() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = newHost();
        DaemonServer server = new DaemonServer(host, sock, selfOnly())) {
      server.start();
      assertThatThrownBy(() -> DaemonClient.connect(sock, 99))
          .isInstanceOfSatisfying(
              ModuleException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ModuleException.Kind.DAEMON);
                assertThat(e.getMessage()).contains("version 99").contains("speaks 1");
              });
    }
  }

  @Test
  void aSecondDaemonOnTheSameSocketRefusesAndAStaleSocketIsCleared() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = newHost();
        DaemonServer first = new DaemonServer(host, sock, selfOnly())) {
      first.start();
      DaemonServer second = new DaemonServer(host, sock, selfOnly());
      try (second) {
        assertThatThrownBy(second::start)
            .isInstanceOf(IOException.class)
            .hasMessageContaining("another daemon");
      }
      assertThat(DaemonClient.answers(sock)).as("the refused one left the first's socket").isTrue();
    }
    Files.writeString(sock, "left by a crashed daemon");
    try (ModuleHost host = newHost();
        DaemonServer again = new DaemonServer(host, sock, selfOnly())) {
      again.start();
      try (DaemonClient c = DaemonClient.connect(sock)) {
        assertThat(c.status().state()).isEqualTo(ModuleState.UNLOADED);
      }
    }
  }

  @Test
  void anotherUserGetsEpermAndTheAttemptIsLogged() throws Exception {
    assumeTrue(ProcessHandle.current().info().user().orElse("").equals("root"), "needs root");
    assumeTrue(Files.isExecutable(Path.of("/usr/sbin/runuser")), "needs runuser");
    Path open = Files.createTempDirectory("bpfd");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path sock = open.resolve("d.sock");
    int nogroup = Integer.parseInt(run("id", "-g", "nobody").trim());
    try (ModuleHost host = newHost();
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.of(nogroup)))) {
      server.start();
      // The socket is 0660 root:root; open it for this test so that the daemon's own check speaks.
      Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));
      String cp = System.getProperty("java.class.path");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      String out =
          run(
              "/usr/sbin/runuser",
              "-u",
              "nobody",
              "--",
              java,
              "-cp",
              readableClasspath(cp),
              ClientForTest.class.getName(),
              sock.toString());
      assertThat(out.lines()).containsExactly("ok UNLOADED", out.lines().toList().get(1));
      assertThat(out.lines().toList().get(1))
          .startsWith("ERR PERMISSION_DENIED permission denied: uid 65534");
      assertThat(host.state()).isEqualTo(ModuleState.UNLOADED);
      assertThat(host.log().lines())
          .anySatisfy(l -> assertThat(l.text()).contains("uid 65534").contains("may not load"));
    }
  }

  /** Only the class directories: jars in root's home are not readable by nobody. */
  private static String readableClasspath(String cp) {
    StringBuilder b = new StringBuilder();
    for (String e : cp.split(":")) {
      if (e.endsWith("classes") || e.endsWith("test-classes")) {
        b.append(b.length() == 0 ? "" : ":").append(e);
      }
    }
    if (b.length() == 0) {
      b.append(UmhImage.codeSourceOf(DaemonClient.class))
          .append(':')
          .append(UmhImage.codeSourceOf(ClientForTest.class));
    }
    return b.toString();
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }
}

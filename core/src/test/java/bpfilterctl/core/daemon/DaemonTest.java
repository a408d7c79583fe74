package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.UmhImage;
import java.io.IOException;
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
}

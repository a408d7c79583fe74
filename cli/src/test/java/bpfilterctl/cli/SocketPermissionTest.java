package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.module.ModuleHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user who may not open the daemon's socket is told so, with the socket, the reason and the fix
 * (and the iptables front-end then answers as iptables does when the kernel refuses); the tool
 * never falls back to a module of its own beside a healthy daemon, and never prints a stack trace.
 * The user is root without CAP_DAC_OVERRIDE (setpriv), the socket nobody's.
 */
@Timeout(120)
class SocketPermissionTest {
  @TempDir Path dir;
  private ModuleHost host;
  private DaemonServer server;
  private Path sock;

  @BeforeEach
  void start() throws Exception {
    Require.that(
        "root".equals(System.getProperty("user.name")),
        "needs root: the socket is handed to another user");
    Require.that(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
    sock = dir.resolve("d.sock");
    host = new ModuleHost(Session.embedded().config());
    server =
        new DaemonServer(host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()));
    server.start();
    host.load();
    PosixFileAttributeView v = Files.getFileAttributeView(sock, PosixFileAttributeView.class);
    UserPrincipal nobody =
        sock.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534");
    GroupPrincipal nogroup =
        sock.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName("65534");
    v.setOwner(nobody);
    v.setGroup(nogroup);
  }

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    if (host != null) {
      host.close();
    }
  }

  private record Ran(int rc, String out, String err) {}

  /** bpfilterctl ARGS as a user without the right to override file permissions. */
  private Ran run(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--inh-caps=-dac_override,-dac_read_search",
                "--bounding-set=-dac_override,-dac_read_search"));
    cmd.addAll(ShellTest.bpfilterctl(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("BPFILTERCTL_SOCKET", sock.toString());
    pb.environment().put("BPFILTERCTL_STATE_DIR", dir.resolve("state").toString());
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Ran(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private void assertDenied(Ran r) {
    assertThat(r.rc()).as(r.err()).isEqualTo(ExitCodes.PERMISSION_DENIED);
    assertThat(r.err())
        .startsWith("bpfilterctl: cannot open the daemon's socket " + sock + ": permission denied")
        .contains("rw-rw----")
        .contains("BPFILTERCTL_SOCKET")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void statusIptablesAndLoadNameTheSocketTheReasonAndTheFix() throws Exception {
    Ran status = run("status");
    assertDenied(status);
    assertThat(status.out()).doesNotContain("UNLOADED");
    // the iptables front-end answers as iptables does to a user the kernel refuses, after the
    // line that names the socket (UnprivilegedFrontEndTest compares it with iptables-legacy)
    Ran ipt = run("iptables", "-L");
    assertThat(ipt.rc()).as(ipt.err()).isEqualTo(3);
    assertThat(ipt.err().lines().toList())
        .hasSize(3)
        .first()
        .asString()
        .startsWith("bpfilterctl: cannot open the daemon's socket " + sock + ": permission denied");
    assertThat(ipt.err())
        .endsWith(
            "iptables v1.8.9 (legacy): can't initialize iptables table `filter': Permission denied"
                + " (you must be root)\nPerhaps iptables or your kernel needs to be upgraded.\n");
    assertDenied(run("load"));
    Ran json = run("status", "--json");
    assertDenied(json);
    assertThat(json.out()).startsWith("{\"error\":{\"option\":null,\"errno\":\"EPERM\"");
    // and nothing was started beside the daemon
    assertThat(host.status().starts()).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("state").resolve("daemon.log"))).isFalse();
  }
}

package bpfilterctl.core.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.UmhImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, items 2 and 4, with real other users (made here with useradd): group members reach the
 * socket, the peer's pid and groups come from the kernel, not from HELLO, and a peer without rights
 * is refused from a frame's head, before its body.
 */
@Timeout(120)
class DaemonAccessTest {
  /** A client in Python, so that it runs as another user without our jars. */
  private static final String CLIENT =
      """
      import os, socket, struct, sys
      path, action = sys.argv[1], sys.argv[2]
      def conn():
          s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
          s.settimeout(5)
          s.connect(path)
          return s
      def frame(s, t, body):
          s.sendall(struct.pack('<IB', 1 + len(body), t) + body)
      def exact(s, n):
          b = b''
          while len(b) < n:
              c = s.recv(n - len(b))
              if not c:
                  return None
              b += c
          return b
      def read(s):
          h = exact(s, 5)
          if h is None:
              return 'EOF'
          n, t = struct.unpack('<IB', h)
          body = exact(s, n - 1)
          if t == 5:
              return 'FAIL %d %s' % (body[0], body[1:].decode())
          return {2: 'WELCOME', 4: 'REPLY', 7: 'TEXT'}.get(t, str(t))
      HELLO_PID_1 = b'BPFC' + struct.pack('<HI', 1, 1)
      print('pid', os.getpid(), flush=True)
      try:
          if action == 'member':
              s = conn()
              frame(s, 1, HELLO_PID_1)
              print('hello', read(s))
              frame(s, 6, b'status')
              print('status', read(s))
              frame(s, 6, b'load')
              print('load', read(s))
              frame(s, 3, struct.pack('<QIIII', 0, 84, 0, 64, 0) + b'filter'.ljust(84, b'\\0'))
              print('get', read(s))
          elif action == 'denied-head':
              s = conn()
              frame(s, 1, HELLO_PID_1)
              print('hello', read(s))
              n = 200 << 20
              s.sendall(struct.pack('<IB', 1 + 24 + n, 3) + struct.pack('<QIIII', 0, n, 1, 64, 0))
              print('set', read(s))
          elif action == 'pipelined-head':
              s = conn()
              n = 200 << 20
              head = struct.pack('<QIIII', 0, n, 0, 65, 0) + b'filter'.ljust(32, b'\\0')
              s.sendall(struct.pack('<IB', 11, 1) + HELLO_PID_1
                        + struct.pack('<IB', 1 + len(head) + 8, 14) + head + struct.pack('<II', n - 40, 0))
              print('hello', read(s))
              print('entries', read(s))
          elif action == 'many':
              kept = []
              for i in range(int(sys.argv[3])):
                  s = conn()
                  kept.append(s)
                  try:
                      frame(s, 1, HELLO_PID_1)
                  except OSError:
                      pass
                  print('conn', i, read(s))
      except PermissionError:
          print('EACCES')
      """;

  private final List<String> users = new ArrayList<>();
  private final List<String> groups = new ArrayList<>();
  private Path work;

  @BeforeEach
  void needRoot() throws Exception {
    Require.that(ProcessHandle.current().info().user().orElse("").equals("root"), "needs root");
    for (String tool : List.of("/usr/sbin/useradd", "/usr/sbin/runuser", "/usr/bin/python3")) {
      Require.that(Files.isExecutable(Path.of(tool)), "needs " + tool);
    }
    work = Files.createTempDirectory("bpfd-access");
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path script = work.resolve("client.py");
    Files.writeString(script, CLIENT);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rw-r--r--"));
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (String u : users) {
      run("/usr/sbin/userdel", u);
    }
    for (String g : groups) {
      run("/usr/sbin/groupdel", g);
    }
    if (work != null) {
      try (Stream<Path> s = Files.walk(work)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private String newGroup() throws Exception {
    String g = "bpfg" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    Require.that(run("/usr/sbin/groupadd", g).exit == 0, "groupadd failed");
    groups.add(g);
    return g;
  }

  private String newUser(String... supplementary) throws Exception {
    String u = "bpft" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
    List<String> cmd = new ArrayList<>(List.of("/usr/sbin/useradd", "-M", "-N"));
    if (supplementary.length > 0) {
      cmd.addAll(List.of("-G", String.join(",", supplementary)));
    }
    cmd.add(u);
    Require.that(run(cmd.toArray(String[]::new)).exit == 0, "useradd failed");
    users.add(u);
    return u;
  }

  private static int gid(String group) throws Exception {
    return Integer.parseInt(run("getent", "group", group).out.split(":")[2]);
  }

  private record Result(int exit, String out) {}

  private static Result run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
    }
    return new Result(p.exitValue(), out);
  }

  private List<String> clientAs(String user, Path sock, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/usr/sbin/runuser",
                "-u",
                user,
                "--",
                "/usr/bin/python3",
                work.resolve("client.py").toString(),
                sock.toString()));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new)).out.lines().toList();
  }

  private static ModuleHost newHost() {
    return new ModuleHost(
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ZERO)
            .build());
  }

  @Test
  void theReadGroupReachesTheSocketAndAForgedHelloPidChangesNothing() throws Exception {
    String readers = newGroup();
    String member = newUser(readers);
    String outsider = newUser();
    Path sock = work.resolve("d.sock");
    try (ModuleHost host = newHost();
        DaemonServer server =
            new DaemonServer(
                host,
                sock,
                new AccessPolicy(0, OptionalInt.empty(), OptionalInt.of(gid(readers))))) {
      server.start();
      host.load();
      assertThat(Files.getAttribute(sock, "unix:gid")).isEqualTo(gid(readers));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
          .isEqualTo("rw-rw----");
      List<String> out = clientAs(member, sock, "member");
      int pid = Integer.parseInt(out.get(0).substring(4));
      assertThat(out).hasSize(5);
      assertThat(out.get(1)).isEqualTo("hello WELCOME");
      assertThat(out.get(2)).isEqualTo("status TEXT");
      assertThat(out.get(3))
          .startsWith("load FAIL 7 permission denied: uid ")
          .contains("pid " + pid + " (python3) may not load");
      assertThat(out.get(4)).isEqualTo("get REPLY");
      List<Frame> seen = host.tap().recent(2);
      assertThat(seen).isNotEmpty();
      assertThat(seen.get(0).callerPid())
          .as("the umh sees the peer's kernel pid, not the announced 1")
          .isEqualTo(pid);
      assertThat(host.state()).isEqualTo(ModuleState.HEALTHY);
      assertThat(clientAs(outsider, sock, "member")).contains("EACCES");
    }
  }

  @Test
  void aPeerWithoutRightsIsRefusedFromTheHeadAndCappedPerUid() throws Exception {
    String readers = newGroup();
    String admins = newGroup();
    String outsider = newUser();
    Path sock = work.resolve("d.sock");
    DaemonLimits limits = DaemonLimits.defaults().withMaxConnections(100, 3);
    try (ModuleHost host = newHost();
        DaemonServer server =
            new DaemonServer(
                host,
                sock,
                new AccessPolicy(0, OptionalInt.of(gid(admins)), OptionalInt.of(gid(readers))),
                limits)) {
      server.start();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock)))
          .as("two groups: open socket, the daemon decides")
          .isEqualTo("rw-rw-rw-");
      long t0 = System.nanoTime();
      List<String> out = clientAs(outsider, sock, "denied-head");
      assertThat(out).contains("hello WELCOME");
      assertThat(out.get(2)).startsWith("set FAIL 7 permission denied").contains("set option 64");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(30_000);
      assertThat(server.bufferedBytes()).isZero();
      // HELLO and a CALL_HEAD in one write: the call is refused from its head, and the 200 MiB it
      // announces are never held.
      List<String> head = clientAs(outsider, sock, "pipelined-head");
      assertThat(head).contains("hello WELCOME");
      assertThat(head.get(2))
          .startsWith("entries FAIL 7 permission denied")
          .contains("get option 65");
      assertThat(server.bufferedBytes()).isZero();
      List<String> many = clientAs(outsider, sock, "many", "4");
      assertThat(many.subList(1, 4)).allSatisfy(l -> assertThat(l).endsWith("WELCOME"));
      assertThat(many.get(4)).contains("too many connections from uid");
    }
  }
}

package bpfilterctl.cli.hook;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Main;
import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The hook's contract beyond the recorded scenarios: other sockets untouched, threads and fork,
 * what a caller sees with no daemon, with a daemon it starts, refused by the daemon (as a non-root
 * user is refused by the kernel) and with a hung umh.
 */
@Timeout(180)
class HookBehaviourTest {
  private Path dir;
  private Path lib;

  @BeforeEach
  void setUp() throws IOException {
    lib = HookedDaemon.requireHookAndNamespaces();
    dir = Files.createTempDirectory("hook-behaviour");
  }

  @AfterEach
  void tearDown() throws IOException {
    HookScenarioTest.deleteTree(dir);
  }

  /** The test client in C (hook/src/test/c/hook_threads.c), built here with the machine's cc. */
  private Path threadedClient() throws IOException, InterruptedException {
    Require.that(HookedDaemon.onPath("cc"), "no C compiler to build the threaded client");
    Path exe = dir.resolve("hook_threads");
    Process cc =
        new ProcessBuilder(
                "cc",
                "-std=gnu11",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-O2",
                "-pthread",
                "-o",
                exe.toString(),
                Path.of("../hook/src/test/c/hook_threads.c").toString())
            .inheritIO()
            .start();
    assertThat(cc.waitFor()).as("cc").isZero();
    return exe;
  }

  @Test
  void manyThreadsAndAForkedChildShareOneHookedSocket() throws Exception {
    Path exe = threadedClient();
    try (HookedDaemon d = HookedDaemon.start(dir)) {
      HookedDaemon.Run r = d.run(List.of("unshare", "-n", exe.toString()), d.hookEnv(lib));
      assertThat(r.output()).as("rc %d", r.rc()).isEqualTo("ok 1800\n");
      assertThat(r.rc()).isZero();
    }
  }

  @Test
  void aClosedSocketsConnectionServesTheNextSocketButNeverAChildOrOtherCredentials()
      throws Exception {
    Path exe = threadedClient();
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (HookedDaemon d =
        HookedDaemon.start(dir, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      // nobody may reach the socket: the daemon's policy, not the file mode, must refuse it
      Files.setPosixFilePermissions(d.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
      HookedDaemon.Run r =
          d.run(List.of("unshare", "-n", exe.toString(), "reuse", "65534"), d.hookEnv(lib));
      assertThat(r.output())
          .as("rc %d", r.rc())
          .isEqualTo(
              "reused\nchild: its own\nparent: reused\nas uid 65534: Operation not permitted\n"
                  + "again: Operation not permitted\n");
      assertThat(r.rc()).isZero();
    }
  }

  /**
   * The hook sends GET_ENTRIES' head alone when its length is one the kernel takes: every length,
   * right or wrong, must still get the kernel's answer, on a process's first socket and on one
   * opened beside it (whose HELLO goes out with its first call).
   */
  @Test
  void getEntriesOfEveryLengthAnswersAsTheKernelDoes() throws Exception {
    Path exe = threadedClient();
    ProcessResult kernel =
        ProcessResult.run(
            dir,
            System.getenv(),
            "unshare",
            "-n",
            "bash",
            "-c",
            "iptables-legacy -S >/dev/null && exec " + exe + " entries");
    assertThat(kernel.output()).contains("right: ok len size+40 entries");
    try (HookedDaemon d = HookedDaemon.start(dir)) {
      HookedDaemon.Run r =
          d.run(List.of("unshare", "-n", exe.toString(), "entries"), d.hookEnv(lib));
      assertThat(r.output()).isEqualTo(kernel.output());
      assertThat(r.rc()).isEqualTo(kernel.rc()).isZero();
    }
  }

  @Test
  void theTapNamesTheHookedCallerByItsPidAndCommand() throws Exception {
    try (HookedDaemon d = HookedDaemon.start(dir)) {
      // bash prints its pid, then becomes iptables-legacy under that same pid
      HookedDaemon.Run r =
          d.run(
              List.of("unshare", "-n", "bash", "-c", "echo $$; exec iptables-legacy -S"),
              d.hookEnv(lib));
      int pid = Integer.parseInt(r.output().lines().findFirst().orElseThrow());
      List<bpfilterctl.core.module.Frame> frames =
          d.host().tap().recent(100).stream().filter(f -> f.cmd() == 64 && !f.isSet()).toList();
      assertThat(frames).isNotEmpty();
      assertThat(frames)
          .allSatisfy(
              f -> {
                assertThat(f.callerPid()).isEqualTo(pid);
                assertThat(f.callerComm()).isEqualTo("iptables-legacy");
              });
      String line =
          new bpfilterctl.core.traffic.TrafficFormat(java.time.ZoneOffset.UTC)
              .line(frames.get(0), new bpfilterctl.core.traffic.FrameSummary("filter", ""));
      assertThat(line).contains(" -> " + String.format("%6d", pid) + " iptables-legacy ");
      assertThat(frames.get(0).toJson()).contains("\"caller_comm\":\"iptables-legacy\"");
    }
  }

  /**
   * Rules per writer in the lock test: the eight writers still overlap and contend for the lock
   * throughout; at 50 each (a hooked iptables-legacy process per rule) the test took half a minute.
   */
  private static final int RULES = 20;

  @Test
  void hookedIptablesLegacyAndOurIptablesWritersShareTheXtablesLockAndNoRuleIsLost()
      throws Exception {
    Path lock = dir.resolve("xtables.lock");
    try (HookedDaemon d = HookedDaemon.start(dir)) {
      // Loaded before the writers start: a umh spawned while ProcessBuilder forks in this JVM can
      // inherit the JDK's exec-status pipe, and the fork then waits for that umh to exit.
      d.host().load();
      List<Process> writers = new java.util.ArrayList<>();
      for (int w = 0; w < 4; w++) {
        Map<String, String> hooked = d.hookEnv(lib);
        hooked.put("XTABLES_LOCKFILE", lock.toString());
        String loop =
            "for i in $(seq "
                + RULES
                + "); do iptables-legacy -w -A INPUT -s 10."
                + w
                + ".0.$i -j ACCEPT || exit 1; done";
        writers.add(ProcessResult.start(dir, hooked, "unshare", "-n", "bash", "-c", loop));
      }
      for (int w = 4; w < 8; w++) {
        Path batch = dir.resolve("batch" + w);
        StringBuilder lines = new StringBuilder();
        for (int i = 1; i <= RULES; i++) {
          lines.append("iptables -w -A INPUT -s 10.").append(w).append(".0.").append(i);
          lines.append(" -j ACCEPT\n");
        }
        Files.writeString(batch, lines);
        Map<String, String> ours = new java.util.HashMap<>(System.getenv());
        ours.put("BPFILTERCTL_SOCKET", d.socket().toString());
        ours.put("XTABLES_LOCKFILE", lock.toString());
        writers.add(
            ProcessResult.start(
                dir,
                ours,
                Stream.concat(
                        JavaCommand.ofThisClasspath(Main.class.getName()).stream(),
                        Stream.of("--batch", batch.toString()))
                    .toArray(String[]::new)));
      }
      for (Process p : writers) {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("writer ended").isTrue();
        assertThat(p.exitValue()).as(out).isZero();
      }
      ProcessResult listed =
          ProcessResult.run(dir, d.hookEnv(lib), "unshare", "-n", "iptables-legacy", "-S", "INPUT");
      List<String> rules = listed.output().lines().filter(l -> l.startsWith("-A ")).toList();
      assertThat(rules).hasSize(8 * RULES).doesNotHaveDuplicates();
      for (int w = 0; w < 8; w++) {
        assertThat(rules).contains("-A INPUT -s 10." + w + ".0." + RULES + "/32 -j ACCEPT");
      }
    }
  }

  @Test
  void tcpUdpAndNetlinkSocketsOfAHookedProgramAreTheKernelsAsBefore() throws Exception {
    try (HookedDaemon d = HookedDaemon.start(dir);
        ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        DatagramSocket udp = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      Thread echo =
          new Thread(
              () -> {
                try (Socket s = tcp.accept()) {
                  s.getOutputStream().write(s.getInputStream().readNBytes(6));
                } catch (IOException e) {
                  // the assertion on the client's output says what went wrong
                }
              });
      echo.start();
      String script =
          "exec 3<>/dev/tcp/127.0.0.1/"
              + tcp.getLocalPort()
              + "; printf 'hello\\n' >&3; read -r line <&3; echo \"tcp $line\"\n"
              + "printf 'datagram' > /dev/udp/127.0.0.1/"
              + udp.getLocalPort()
              + "\n";
      // In this machine's namespace (the loopback servers are here): bash opens no raw socket.
      HookedDaemon.Run r = d.run(List.of("bash", "-c", script), d.hookEnv(lib));
      assertThat(r.output()).isEqualTo("tcp hello\n");
      DatagramPacket p = new DatagramPacket(new byte[64], 64);
      udp.setSoTimeout(5000);
      udp.receive(p);
      assertThat(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII))
          .isEqualTo("datagram");
      echo.join(5000);
      HookedDaemon.Run netlink =
          d.run(List.of("unshare", "-n", "ip", "-o", "link", "show", "lo"), d.hookEnv(lib));
      assertThat(netlink.output()).contains(": lo: <LOOPBACK>");
      assertThat(netlink.rc()).isZero();
    }
  }

  @Test
  void withNoDaemonAndNoWayToStartOneIptablesFailsAsUsualAndTheHookSaysWhy() throws Exception {
    Path nowhere = dir.resolve("none.sock");
    Map<String, String> env = HookedDaemon.envWithHook(lib, nowhere);
    ProcessResult r = ProcessResult.run(dir, env, "unshare", "-n", "iptables-legacy", "-S");
    assertThat(r.rc()).isEqualTo(3);
    assertThat(r.output())
        .isEqualTo(
            "bpfilterctl-hook: cannot reach the daemon on "
                + nowhere
                + ": none can be started here: BPFILTERCTL_BIN is not set (run under"
                + " `bpfilterctl exec`)\n"
                + "iptables v1.8.9 (legacy): can't initialize iptables table `filter':"
                + " Connection refused\n"
                + "Perhaps iptables or your kernel needs to be upgraded.\n");
  }

  @Test
  void withNoDaemonTheHookStartsOneSaysSoOnceAndTheCommandWorks() throws Exception {
    Path sock = dir.resolve("started.sock");
    Path launcher = dir.resolve("bpfilterctl");
    Files.writeString(
        launcher,
        "#!/bin/sh\nexec "
            + JavaCommand.ofThisClasspath(Main.class.getName()).stream()
                .map(w -> "'" + w + "'")
                .collect(Collectors.joining(" "))
            + " \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = HookedDaemon.envWithHook(lib, sock);
    env.put("BPFILTERCTL_BIN", launcher.toString());
    env.put("BPFILTERCTL_STATE_DIR", dir.resolve("state").toString());
    try {
      ProcessResult first =
          ProcessResult.run(dir, env, "unshare", "-n", "iptables-legacy", "-N", "started");
      assertThat(first.output())
          .isEqualTo(
              "bpfilterctl-hook: no daemon answered on "
                  + sock
                  + ": started one (bpfilterctl daemon --detach)\n");
      assertThat(first.rc()).isZero();
      ProcessResult second = ProcessResult.run(dir, env, "unshare", "-n", "iptables-legacy", "-S");
      assertThat(second.output())
          .isEqualTo("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N started\n");
    } finally {
      try (DaemonClient c = DaemonClient.connect(sock)) {
        c.stopDaemon();
      } catch (IOException | bpfilterctl.core.module.ModuleException e) {
        // nothing was started
      }
    }
  }

  @Test
  void aCallerTheDaemonRefusesSeesWhatANonRootUserSeesOnTheKernel() throws Exception {
    Require.that(
        HookedDaemon.onPath("useradd") && HookedDaemon.onPath("setpriv"), "no useradd/setpriv");
    String user = "bpfhk" + ProcessHandle.current().pid() % 100000;
    assertThat(new ProcessBuilder("useradd", "-M", "-N", user).start().waitFor()).isZero();
    try {
      int uid =
          Integer.parseInt(
              ProcessResult.run(dir, System.getenv(), "id", "-u", user).output().trim());
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
      // iptables takes its lock first: one the user may open, so that the socket is what refuses.
      Path lock = Files.createFile(dir.resolve("xtables.lock"));
      Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-rw-rw-"));
      try (HookedDaemon d =
          HookedDaemon.start(dir, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
        // The socket's mode lets the user in: the daemon's policy is what refuses.
        Files.setPosixFilePermissions(d.socket(), PosixFilePermissions.fromString("rw-rw-rw-"));
        for (List<String> args :
            List.of(
                List.of("-L"),
                List.of("-S"),
                List.of("-A", "INPUT", "-j", "ACCEPT"),
                List.of("-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"))) {
          List<String> asUser =
              new java.util.ArrayList<>(
                  List.of(
                      "unshare",
                      "-n",
                      "setpriv",
                      "--reuid=" + uid,
                      "--regid=65534",
                      "--clear-groups",
                      "iptables-legacy"));
          asUser.addAll(args);
          Map<String, String> plain = new java.util.HashMap<>(System.getenv());
          plain.put("XTABLES_LOCKFILE", lock.toString());
          Map<String, String> hookedEnv = d.hookEnv(lib);
          hookedEnv.put("XTABLES_LOCKFILE", lock.toString());
          ProcessResult kernel = ProcessResult.run(dir, plain, asUser.toArray(String[]::new));
          ProcessResult hooked = ProcessResult.run(dir, hookedEnv, asUser.toArray(String[]::new));
          assertThat(hooked.output()).as("%s", args).isEqualTo(kernel.output());
          assertThat(hooked.rc()).as("%s", args).isEqualTo(kernel.rc());
          assertThat(kernel.output()).contains("Permission denied (you must be root)");
        }
      }
    } finally {
      new ProcessBuilder("userdel", user).start().waitFor();
    }
  }

  /**
   * Until every thread of {@code pid} is stopped: kill(1) returns once SIGSTOP is sent, and on a
   * busy machine a thread of the umh could still answer the next call before it stops.
   */
  private static void awaitStopped(int pid) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      boolean all = true;
      try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", pid + "", "task"))) {
        for (Path t : tasks.toList()) {
          String stat = Files.readString(t.resolve("stat"));
          char state = stat.charAt(stat.lastIndexOf(')') + 2);
          all &= state == 'T' || state == 't';
        }
      }
      if (all) {
        return;
      }
      assertThat(System.nanoTime()).as("umh %d stopped", pid).isLessThan(end);
      Thread.sleep(5);
    }
  }

  /**
   * Root is granted by every daemon, so the hook does not wait for its first WELCOME: HELLO and the
   * first call go out together, one round trip instead of two. A stub daemon that answers nothing
   * until it has the call behind HELLO shows it (it waits 10 s, then answers anyway, so that a hook
   * that waits fails here instead of hanging).
   */
  @Test
  void rootsFirstCallGoesOutWithItsHello() throws Exception {
    Path exe = threadedClient();
    Path sock = dir.resolve("stub.sock");
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (java.nio.channels.ServerSocketChannel server =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(sock));
      Thread stub = new Thread(() -> stubDaemon(server, seen), "stub-daemon");
      stub.setDaemon(true);
      stub.start();
      ProcessResult r =
          ProcessResult.run(
              dir, HookedDaemon.envWithHook(lib, sock), "unshare", "-n", exe.toString(), "once");
      assertThat(r.output()).as("rc %d", r.rc()).isEqualTo("ok\n");
      stub.join(10_000);
    }
    assertThat(seen).startsWith("HELLO", "CALL 64", "answered");
  }

  /**
   * One connection: HELLO, then the next frame (10 s at most) before WELCOME and GET_INFO's reply.
   */
  private static void stubDaemon(java.nio.channels.ServerSocketChannel server, List<String> seen) {
    try (java.nio.channels.SocketChannel c = server.accept()) {
      java.nio.ByteBuffer in =
          java.nio.ByteBuffer.allocate(1 << 16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      c.configureBlocking(false);
      try (java.nio.channels.Selector sel = java.nio.channels.Selector.open()) {
        c.register(sel, java.nio.channels.SelectionKey.OP_READ);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (seen.size() < 2 && System.nanoTime() < end) {
          sel.select(100);
          sel.selectedKeys().clear();
          if (c.read(in) < 0) {
            return;
          }
          while (in.position() >= 5 && in.position() >= 4 + in.getInt(0)) {
            int len = in.getInt(0);
            int type = in.get(4);
            seen.add(
                type == 1 ? "HELLO" : type == 3 ? "CALL " + in.getInt(5 + 16) : "type " + type);
            in.flip().position(4 + len);
            in.compact();
          }
        }
      }
      seen.add("answered");
      java.nio.ByteBuffer out =
          java.nio.ByteBuffer.allocate(8 + 5 + 4 + 84).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      out.putInt(4).put((byte) 2).putShort((short) 1).put((byte) 2); // WELCOME: v1, write
      out.putInt(1 + 4 + 84).put((byte) 4).putInt(0); // REPLY, status 0
      byte[] info = new byte[84];
      System.arraycopy("filter".getBytes(StandardCharsets.US_ASCII), 0, info, 0, 6);
      info[32] = 0x0e; // valid hooks: LOCAL_IN, FORWARD, LOCAL_OUT
      out.put(info).flip();
      c.configureBlocking(true);
      while (out.hasRemaining()) {
        c.write(out);
      }
      c.read(java.nio.ByteBuffer.allocate(64)); // until the client hangs up
    } catch (IOException e) {
      seen.add("stub failed: " + e);
    }
  }

  @Test
  void aHungUmhIsABadAddressThenTheDaemonRestartsIt() throws Exception {
    Path exe = threadedClient();
    try (HookedDaemon d = HookedDaemon.startWithoutWatchdog(dir)) {
      d.host().load();
      int umh = d.host().status().umhPid();
      new ProcessBuilder("kill", "-STOP", Integer.toString(umh)).start().waitFor();
      awaitStopped(umh);
      // The seed's module answered EFAULT after a failed exchange with its umh.
      HookedDaemon.Run hung =
          d.run(List.of("unshare", "-n", exe.toString(), "once"), d.hookEnv(lib));
      assertThat(hung.output()).isEqualTo("Bad address\n");
      // The host killed the hung umh; the next call starts a new one, and iptables works again.
      ProcessResult after =
          ProcessResult.run(dir, d.hookEnv(lib), "unshare", "-n", "iptables-legacy", "-S");
      assertThat(after.output())
          .isEqualTo("-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n");
      assertThat(d.host().status().umhPid()).isNotEqualTo(umh);
    }
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.module.ModuleHost;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our iptables front-end run by nobody against a daemon whose socket is root's group's alone,
 * beside iptables-legacy 1.8.9 run by nobody on the kernel: the same words on stderr (ours adds one
 * "bpfilterctl:" line naming the socket that refused and why), the same stdout, the same status.
 * Everything runs in a fresh network and mount namespace; the daemon, its socket and the lock live
 * in a temporary directory.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UnprivilegedFrontEndTest {
  private static final String RULES = "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n";

  @TempDir Path dir;
  private ModuleHost host;
  private DaemonServer server;
  private Path sock;
  private Path lock;
  private String classpath;

  @BeforeEach
  void start() throws Exception {
    Require.root("running the commands as nobody through setpriv, in namespaces,");
    Require.command("setpriv", "util-linux");
    Require.command("unshare", "util-linux");
    Require.command("iptables-legacy", "iptables");
    Require.command("mount", "mount");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    sock = dir.resolve("d.sock");
    host = new ModuleHost(Session.embedded().config());
    server =
        new DaemonServer(host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()));
    server.start();
    host.load();
    // root's and its group's: nobody may not connect
    Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw----"));
    // iptables takes its lock before it asks the kernel: one nobody may open, so that the module
    // (or the kernel) is what refuses
    lock = Files.createFile(dir.resolve("xtables.lock"));
    Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-rw-rw-"));
    classpath = readableClasspath();
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

  /** The test classpath, its jars copied where nobody can read them (root's ~/.m2 is closed). */
  private String readableClasspath() throws IOException {
    Path jars = Files.createDirectory(dir.resolve("cp"));
    List<String> entries = new ArrayList<>();
    int i = 0;
    for (String e : ShellTest.testClasspath().split(File.pathSeparator)) {
      Path p = Path.of(e);
      if (Files.isRegularFile(p)) {
        Path copy = jars.resolve(i++ + "-" + p.getFileName());
        Files.copy(p, copy);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
        entries.add(copy.toString());
      } else {
        entries.add(e);
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  private record Ran(int rc, String out, String err) {}

  /**
   * {@code command} as nobody, after {@code setup} (run as root) in a fresh network and mount
   * namespace whose /run is a private tmpfs.
   */
  private Ran asNobody(String setup, Map<String, String> env, String stdin, List<String> command)
      throws Exception {
    Path in = dir.resolve("stdin");
    Files.writeString(in, stdin);
    StringBuilder script =
        new StringBuilder("set -e\nmount -t tmpfs -o mode=755 none /run\n").append(setup);
    script.append("\nexec setpriv --reuid=65534 --regid=65534 --clear-groups env");
    for (Map.Entry<String, String> e : env.entrySet()) {
      script.append(' ').append(quote(e.getKey() + "=" + e.getValue()));
    }
    for (String w : command) {
      script.append(' ').append(quote(w));
    }
    Path sh = dir.resolve("run.sh");
    Files.writeString(sh, script.append('\n').toString());
    Path out = dir.resolve("out");
    Path err = dir.resolve("err");
    ProcessBuilder pb = new ProcessBuilder("unshare", "-n", "-m", "bash", sh.toString());
    // the build points XTABLES_LOCKFILE at its own lock: each command here gets only env's
    pb.environment().remove("XTABLES_LOCKFILE");
    Process p =
        pb.redirectInput(in.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Ran(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static String quote(String w) {
    return "'" + w.replace("'", "'\\''") + "'";
  }

  private Ran ours(String setup, Map<String, String> env, String stdin, List<String> args)
      throws Exception {
    List<String> cmd = new ArrayList<>(JavaCommand.of(classpath, Main.class.getName()));
    cmd.addAll(args);
    return asNobody(setup, env, stdin, cmd);
  }

  private Ran legacy(Map<String, String> env, String stdin, List<String> args) throws Exception {
    List<String> cmd = new ArrayList<>(args);
    cmd.set(0, args.get(0).replace("iptables", "iptables-legacy"));
    return asNobody("", env, stdin, cmd);
  }

  private static final List<List<String>> COMMANDS =
      List.of(
          List.of("iptables", "-L"),
          List.of("iptables", "-A", "INPUT", "-j", "ACCEPT"),
          List.of("iptables", "-S"),
          List.of("iptables", "-t", "nat", "-L", "-n", "-v"),
          List.of("iptables-save"),
          List.of("iptables-save", "-t", "nat"),
          List.of("iptables-restore"),
          List.of("iptables-restore", "--test"));

  private static String withoutOurLines(String err) {
    return err.lines()
        .filter(l -> !l.startsWith("bpfilterctl: "))
        .map(l -> l + "\n")
        .collect(Collectors.joining());
  }

  private void assertLikeTheKernel(Ran ours, Ran kernel, String socket, List<String> args) {
    assertThat(kernel.rc()).as("%s on the kernel refused (%s)", args, kernel.err()).isNotZero();
    assertThat(withoutOurLines(ours.err())).as("%s: stderr", args).isEqualTo(kernel.err());
    assertThat(ours.out()).as("%s: stdout", args).isEqualTo(kernel.out());
    assertThat(ours.rc()).as("%s: status (stderr %s)", args, ours.err()).isEqualTo(kernel.rc());
    List<String> notes = ours.err().lines().filter(l -> l.startsWith("bpfilterctl: ")).toList();
    assertThat(notes).as("%s: which socket refused, and why", args).hasSize(1);
    assertThat(notes.get(0))
        .startsWith(
            "bpfilterctl: cannot open the daemon's socket "
                + socket
                + ": permission denied (rw-rw---- root:root; you are uid 65534)")
        .contains("BPFILTERCTL_SOCKET");
  }

  @Test
  void aRefusedSocketAnswersAsTheKernelAnswersAUserWhoIsNotRoot() throws Exception {
    Map<String, String> env =
        Map.of("BPFILTERCTL_SOCKET", sock.toString(), "XTABLES_LOCKFILE", lock.toString());
    for (List<String> args : COMMANDS) {
      Ran kernel = legacy(Map.of("XTABLES_LOCKFILE", lock.toString()), RULES, args);
      Ran ours = ours("", env, RULES, args);
      assertLikeTheKernel(ours, kernel, sock.toString(), args);
    }
    assertThat(host.status().starts()).as("nothing loaded beside the daemon's module").isEqualTo(1);
  }

  @Test
  void withoutSettingsAUserIsSentToTheSystemDaemonAndToldItRefused() throws Exception {
    // the system daemon's socket, in this namespace's own /run: the test daemon's, bound there
    String setup =
        "mkdir -m 755 /run/bpfilterctl\n"
            + "touch /run/bpfilterctl/bpfilterctl.sock\n"
            + "mount --bind "
            + quote(sock.toString())
            + " /run/bpfilterctl/bpfilterctl.sock";
    Map<String, String> env = Map.of("XTABLES_LOCKFILE", lock.toString());
    for (List<String> args : List.of(List.of("iptables", "-L"), List.of("iptables-save"))) {
      Ran kernel = legacy(env, RULES, args);
      Ran ours = ours(setup, env, RULES, args);
      assertLikeTheKernel(ours, kernel, "/run/bpfilterctl/bpfilterctl.sock", args);
    }
  }

  @Test
  void theXtablesLockRefusesFirstAsInIptables() throws Exception {
    // /run is a fresh tmpfs, root's and 755 as on a machine: nobody cannot create /run/xtables.lock
    Map<String, String> env = Map.of("BPFILTERCTL_SOCKET", sock.toString());
    for (List<String> args :
        List.of(List.of("iptables", "-L"), List.of("iptables", "-A", "INPUT", "-j", "DROP"))) {
      Ran kernel = legacy(Map.of(), RULES, args);
      Ran ours = ours("", env, RULES, args);
      assertThat(kernel.err())
          .isEqualTo("Fatal: can't open lock file /run/xtables.lock: Permission denied\n");
      assertThat(ours.err()).as("%s", args).isEqualTo(kernel.err());
      assertThat(ours.rc()).as("%s", args).isEqualTo(kernel.rc());
    }
  }

  @Test
  void revisionProbesOfARefusedUserGoOnAsIptablesDoesWhenItsSocketIsRefused() throws Exception {
    // iptables' own suite (0008-unprivileged): libxtables asks for revisions while it parses,
    // before the lock; nobody's socket() fails with EPERM, so it assumes the revision (saying so
    // above 0) and then meets the lock. Ours asks the daemon that refuses it, with the same words.
    Map<String, String> env = Map.of("BPFILTERCTL_SOCKET", sock.toString());
    for (List<String> args :
        List.of(
            List.of("iptables", "-A", "FORWARD", "-p", "tcp", "--dport", "123"),
            List.of("iptables", "-A", "FORWARD", "-j", "DNAT", "--to-destination", "1.2.3.4"),
            List.of("iptables", "-A", "INPUT", "-m", "limit", "--limit", "3/s"))) {
      Ran kernel = legacy(Map.of(), RULES, args);
      Ran ours = ours("", env, RULES, args);
      assertThat(kernel.err())
          .endsWith("Fatal: can't open lock file /run/xtables.lock: Permission denied\n");
      assertThat(withoutOurLines(ours.err())).as("%s", args).isEqualTo(kernel.err());
      assertThat(ours.rc()).as("%s", args).isEqualTo(kernel.rc());
    }
  }

  @Test
  void aUserWithoutAHomeIsToldWhyNoDaemonCanBeStarted() throws Exception {
    // no system daemon (a fresh /run), no settings: nobody's own daemon would live under its
    // home, /nonexistent
    Ran ours = ours("", Map.of("XTABLES_LOCKFILE", lock.toString()), "", List.of("iptables", "-L"));
    Ran kernel = legacy(Map.of("XTABLES_LOCKFILE", lock.toString()), "", List.of("iptables", "-L"));
    assertThat(ours.rc()).as(ours.err()).isEqualTo(kernel.rc());
    assertThat(ours.err().lines()).hasSize(1);
    assertThat(ours.err())
        .startsWith("bpfilterctl: no daemon answers on /nonexistent/.local/state/bpfilterctl/")
        .contains("/nonexistent: ")
        .contains("BPFILTERCTL_SOCKET")
        .doesNotContain("Exception");
    assertThat(ours.out()).isEmpty();
  }
}

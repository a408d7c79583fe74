package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonLimits;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.daemon.RunRequest;
import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.XtablesLock;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-shots run in the daemon through {@link OneShotClient}: the same output, exit status and
 * effect as the same command line run in this process against the same daemon, with stdin, files,
 * the xtables lock and Ctrl-C the caller's.
 */
@Timeout(180)
class OneShotClientTest {
  @TempDir Path dir;
  private ModuleHost host;
  private DaemonServer server;
  private Path socket;
  private Path lock;

  private record Ran(int rc, String out, String err) {}

  @BeforeEach
  void startDaemon() throws Exception {
    socket = dir.resolve("d.sock");
    lock = dir.resolve("xtables.lock");
    host =
        new ModuleHost(
            HostConfig.builder(UmhImage.embedded(List.of()))
                .stateDir(dir.resolve("state"))
                .build());
    server =
        new DaemonServer(
            host,
            socket,
            new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()),
            DaemonLimits.defaults(),
            Optional.of(new ClientCommandRunner()));
    server.start();
  }

  @AfterEach
  void stopDaemon() throws Exception {
    server.close();
    host.close();
  }

  private OneShotClient client(
      InputStream stdin, ByteArrayOutputStream out, ByteArrayOutputStream err) throws Exception {
    return new OneShotClient(OneShotClient.connect(socket), stdin, out, err);
  }

  private RunRequest request(String... args) {
    return new RunRequest(
        List.of(args), dir.toString(), Map.of("XTABLES_LOCKFILE", lock.toString()), false);
  }

  /** Through the client, with {@code stdin}. */
  private Ran viaClient(String stdin, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
    OptionalInt rc = client(in, out, err).run(request(args));
    assertThat(rc).as("the daemon ran it").isPresent();
    return new Ran(
        rc.getAsInt(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** In this process, as a one-shot did before, talking to the same daemon. */
  private Ran inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (Session s = Session.preferringDaemon(socket)) {
      int rc =
          GlobalFlags.execute(
              s, new Io(new PrintWriter(out), new PrintWriter(err), false, false), args);
      return new Ran(rc, out.toString(), err.toString());
    }
  }

  @Test
  void outputAndExitStatusAreThoseOfTheSameCommandRunInProcess() throws Exception {
    List<String[]> lines =
        List.of(
            new String[] {"iptables", "-A", "INPUT", "-s", "192.0.2.1", "-j", "ACCEPT"},
            new String[] {"iptables", "-S"},
            new String[] {"iptables", "-L", "INPUT", "-n", "--line-numbers"},
            new String[] {"iptables", "-D", "INPUT", "9"},
            new String[] {"iptables", "-A", "NOCHAIN", "-j", "DROP"},
            new String[] {"iptables", "--bogus"},
            new String[] {"--version"},
            new String[] {"-j", "status"},
            new String[] {"get", "info", "filter"},
            new String[] {"nosuchcommand"});
    for (String[] args : lines) {
      Ran local = inProcess(args);
      Ran remote = viaClient("", args);
      String what = String.join(" ", args);
      assertThat(remote.rc()).as(what).isEqualTo(local.rc());
      assertThat(remote.err()).as(what).isEqualTo(local.err());
      if (!args[0].equals("-j")) { // status carries uptimes and counters that move
        assertThat(remote.out()).as(what).isEqualTo(local.out());
      } else {
        assertThat(remote.out()).as(what).contains("\"state\":\"HEALTHY\"");
      }
    }
    assertThat(inProcess("iptables", "-S", "INPUT").out())
        .contains("-A INPUT -s 192.0.2.1/32 -j ACCEPT");
  }

  @Test
  void stdinAndFilesAreTheCallers() throws Exception {
    Ran fromStdin =
        viaClient(
            "*filter\n-A INPUT -s 192.0.2.2/32 -j DROP\nCOMMIT\n", "iptables-restore", "--noflush");
    assertThat(fromStdin.rc()).as(fromStdin.err()).isZero();
    Path rules = dir.resolve("rules");
    Files.writeString(rules, "*filter\n-A INPUT -s 192.0.2.3/32 -j DROP\nCOMMIT\n");
    // relative to the caller's working directory (the request's), read by the client
    Ran fromFile = viaClient("", "iptables-restore", "--noflush", rules.toString());
    assertThat(fromFile.rc()).as(fromFile.err()).isZero();
    assertThat(inProcess("iptables-save").out())
        .contains("-A INPUT -s 192.0.2.2/32 -j DROP\n-A INPUT -s 192.0.2.3/32 -j DROP\n");

    String missing = dir.resolve("missing").toString();
    Ran none = viaClient("", "iptables-restore", missing);
    Ran noneHere = inProcess("iptables-restore", missing);
    assertThat(none).isEqualTo(noneHere);
    assertThat(none.err()).contains("Can't open " + missing);

    Ran dirBlob = viaClient("", "set", "replace", dir.toString());
    assertThat(dirBlob).isEqualTo(inProcess("set", "replace", dir.toString()));
    assertThat(dirBlob.err()).contains(": Is a directory");
  }

  @Test
  void iptablesXmlReadsTheCallersStdinAndFiles() throws Exception {
    String save = "*filter\n:INPUT ACCEPT [1:2]\n-A INPUT -s 192.0.2.4/32 -j DROP\nCOMMIT\n";
    Path rules = dir.resolve("saved");
    Files.writeString(rules, save);
    Ran local = inProcess("iptables-xml", "-c", rules.toString());
    assertThat(local.rc()).as(local.err()).isZero();
    assertThat(local.out()).contains("<table name=\"filter\" >").contains("192.0.2.4/32");

    assertThat(viaClient(save, "iptables-xml", "-c")).as("stdin").isEqualTo(local);
    assertThat(viaClient("", "iptables-xml", "-c", rules.toString())).as("file").isEqualTo(local);
    // fopen(3) opens a directory and its first fgets(3) fails: an empty document, status 0
    Ran ofDir = viaClient("", "iptables-xml", dir.toString());
    assertThat(ofDir).isEqualTo(inProcess("iptables-xml", dir.toString()));
    assertThat(ofDir.out()).isEqualTo("<iptables-rules version=\"1.0\">\n</iptables-rules>\n");
    String missing = dir.resolve("missing").toString();
    Ran none = viaClient("", "iptables-xml", missing);
    assertThat(none).isEqualTo(inProcess("iptables-xml", missing));
    assertThat(none.rc()).isEqualTo(1);
    assertThat(none.err()).isEqualTo("Can't open " + missing + ": No such file or directory");
  }

  @Test
  void ctrlCCancelsACommandWaitingForTheXtablesLockAndChangesNothing() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<OptionalInt> rc;
    OneShotClient c = client(InputStream.nullInputStream(), out, err);
    XtablesLock.Held held = XtablesLock.at(lock).acquire(0);
    try {
      rc =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return c.run(
                      request("iptables", "-w", "-A", "INPUT", "-s", "192.0.2.9", "-j", "DROP"));
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      // the run waits in the daemon for the lock we hold; it has taken a thread there
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!daemonThreadRunning() && System.nanoTime() < end) {
        Thread.sleep(20);
      }
      assertThat(daemonThreadRunning()).as("the command runs in the daemon").isTrue();
      c.cancel();
      OptionalInt status = rc.get(30, TimeUnit.SECONDS);
      assertThat(status).isPresent();
      assertThat(status.getAsInt()).isNotZero();
    } finally {
      held.close();
    }
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("Can't lock " + lock);
    assertThat(inProcess("iptables", "-S", "INPUT").out()).doesNotContain("192.0.2.9");
    // the daemon goes on serving
    assertThat(viaClient("", "iptables", "-A", "INPUT", "-s", "192.0.2.10", "-j", "DROP").rc())
        .isZero();
  }

  /**
   * One-shots run in the daemon and hooked iptables-legacy writers, all with -w on one xtables
   * lock, append concurrently to one chain: the lock (taken in the daemon for a root caller)
   * serialises their read-modify-replace cycles, so no rule is lost.
   */
  @Test
  void oneShotsInTheDaemonAndHookedIptablesLegacyShareTheXtablesLock() throws Exception {
    Require.that(
        "root".equals(System.getProperty("user.name")), "hooked iptables in a netns needs root");
    Require.that(
        bpfilterctl.cli.hook.ProcessReplacer.onPath("iptables-legacy", System.getenv("PATH"))
            .isPresent(),
        "iptables-legacy is not installed");
    Optional<Path> lib = bpfilterctl.cli.hook.HookLibrary.find(System.getenv());
    Require.that(
        lib.isPresent(),
        "the hook library is not built: " + bpfilterctl.cli.hook.HookLibrary.notFound(Map.of()));
    host.load();
    int n = 25;
    List<Process> legacy = new ArrayList<>();
    for (int w = 0; w < 2; w++) {
      ProcessBuilder pb =
          new ProcessBuilder(
                  "unshare",
                  "-n",
                  "bash",
                  "-c",
                  "for i in $(seq "
                      + n
                      + "); do iptables-legacy -w -A INPUT -s 10."
                      + w
                      + ".0.$i -j ACCEPT || exit 1; done")
              .redirectErrorStream(true);
      pb.environment().put("LD_PRELOAD", lib.get().toString());
      pb.environment().put("BPFILTERCTL_SOCKET", socket.toString());
      pb.environment().put("XTABLES_LOCKFILE", lock.toString());
      pb.environment().remove("BPFILTERCTL_BIN");
      legacy.add(pb.start());
    }
    List<CompletableFuture<String>> ours = new ArrayList<>();
    for (int w = 2; w < 4; w++) {
      int writer = w;
      ours.add(
          CompletableFuture.supplyAsync(
              () -> {
                StringBuilder failures = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                  try {
                    Ran r =
                        viaClient(
                            "",
                            "iptables",
                            "-w",
                            "-A",
                            "INPUT",
                            "-s",
                            "10." + writer + ".0." + i,
                            "-j",
                            "ACCEPT");
                    if (r.rc() != 0) {
                      failures.append(r.err());
                    }
                  } catch (Exception e) {
                    failures.append(e).append('\n');
                  }
                }
                return failures.toString();
              }));
    }
    for (Process p : legacy) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(150, TimeUnit.SECONDS)).as("hooked writer ended").isTrue();
      assertThat(p.exitValue()).as(out).isZero();
    }
    for (CompletableFuture<String> f : ours) {
      assertThat(f.get(150, TimeUnit.SECONDS)).as("one-shot failures").isEmpty();
    }
    List<String> rules =
        inProcess("iptables", "-S", "INPUT")
            .out()
            .lines()
            .filter(l -> l.startsWith("-A "))
            .toList();
    assertThat(rules).hasSize(4 * n).doesNotHaveDuplicates();
    for (int w = 0; w < 4; w++) {
      assertThat(rules).contains("-A INPUT -s 10." + w + ".0." + n + "/32 -j ACCEPT");
    }
  }

  /**
   * A one-shot {@code traffic record} runs until Ctrl-C (or a SIGTERM): then it writes the last
   * frames, prints its summary and ends as a signalled process does, with no error and no trace.
   */
  @Test
  void aRecordingEndedByASignalKeepsItsFramesAndSaysHowMany() throws Exception {
    host.load();
    for (String signal : List.of("INT", "TERM")) {
      Path rec = dir.resolve("rec-" + signal + ".jsonl");
      // SIGINT at its default, as under a terminal: a build started in the background (or by
      // nohup) hands its children SIGINT ignored, and a JVM then leaves it ignored.
      List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT"));
      cmd.addAll(JavaCommand.ofThisClasspath(OneShotClient.class.getName()));
      cmd.addAll(List.of("traffic", "record", rec.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("BPFILTERCTL_SOCKET", socket.toString());
      Process p = pb.start();
      try {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(rec) && Files.size(rec) > 0) && System.nanoTime() < end) {
          if (!p.isAlive()) {
            throw new AssertionError(
                "the recording ended: "
                    + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
          }
          inProcess("iptables", "-S"); // traffic, until the recorder has written some
          Thread.sleep(50);
        }
        assertThat(Files.size(rec)).as("frames written while it runs").isPositive();
        Process kill =
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("ended by SIG" + signal).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(err).as("SIG" + signal).isEmpty();
        long lines;
        try (var l = Files.lines(rec)) {
          lines = l.count();
        }
        assertThat(out).isEqualTo(lines + " frames recorded to " + rec + ", 0 dropped\n");
        assertThat(p.exitValue()).isEqualTo(signal.equals("INT") ? 130 : 143);
      } finally {
        p.destroyForcibly();
      }
    }
  }

  /**
   * A caller that is neither root nor the daemon's uid holds the xtables lock itself: the daemon
   * asks its client to take it, with the caller's permissions. While the test holds the lock, such
   * a caller's {@code iptables -w -S} waits; released, it runs.
   */
  @Test
  void aCallerOfAnotherUidTakesTheXtablesLockInItsOwnProcess() throws Exception {
    Require.that(
        "root".equals(System.getProperty("user.name")), "switching to uid 65534 needs root");
    Require.that(
        bpfilterctl.cli.hook.ProcessReplacer.onPath("setpriv", System.getenv("PATH")).isPresent(),
        "setpriv is not installed");
    // The classes as uid 65534 can read them: the build's, then the dependencies cli/target/lib
    // holds after a package (the test's own class path lies in root's maven repository).
    Path classes =
        Path.of(OneShotClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path lib = classes.getParent().resolve("lib");
    Path coreClasses = classes.getParent().getParent().getParent().resolve("core/target/classes");
    Require.that(
        Files.isDirectory(classes) && Files.isDirectory(lib) && Files.isDirectory(coreClasses),
        "needs cli/target/classes, core/target/classes and cli/target/lib (mvn package)");
    java.nio.file.attribute.FileAttribute<?> open =
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path runDir = Files.createDirectory(dir.resolve("other"), open);
    Path otherSocket = runDir.resolve("d.sock");
    Path otherLock = runDir.resolve("xtables.lock");
    Files.createFile(otherLock);
    Files.setPosixFilePermissions(
        otherLock, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    try (DaemonServer readers =
        new DaemonServer(
            host,
            otherSocket,
            new AccessPolicy(0, OptionalInt.empty(), OptionalInt.of(65534)),
            DaemonLimits.defaults(),
            Optional.of(new ClientCommandRunner()))) {
      readers.start();
      host.load();
      List<String> cmd =
          new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
      cmd.addAll(
          JavaCommand.of(
              classes + ":" + coreClasses + ":" + lib + "/*", OneShotClient.class.getName()));
      cmd.addAll(List.of("iptables", "-w", "-S", "INPUT"));
      ProcessBuilder pb =
          new ProcessBuilder(cmd).redirectErrorStream(true).directory(runDir.toFile());
      pb.environment().put("BPFILTERCTL_SOCKET", otherSocket.toString());
      pb.environment().put("XTABLES_LOCKFILE", otherLock.toString());
      pb.environment().put("HOME", runDir.toString());
      Process p;
      XtablesLock.Held held = XtablesLock.at(otherLock).acquire(0);
      try {
        p = pb.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (!daemonThreadRunning() && p.isAlive() && System.nanoTime() < end) {
          Thread.sleep(20);
        }
        assertThat(daemonThreadRunning()).as("the command runs in the daemon").isTrue();
        assertThat(p.waitFor(2, TimeUnit.SECONDS))
            .as("waits for the lock the test holds")
            .isFalse();
      } finally {
        held.close();
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      assertThat(out).isEqualTo("-P INPUT ACCEPT\n");
    }
  }

  private static boolean daemonThreadRunning() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.getName().equals("daemon-run") && t.isAlive());
  }

  @Test
  void theClientLoadsNoCommandModelAndRelaysStdoutStderrAndTheStatus() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(JavaCommand.ofThisClasspath(OneShotClient.class.getName(), "-verbose:class"));
    cmd.addAll(List.of("iptables", "-A", "NOCHAIN", "-j", "DROP"));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    pb.environment().put("BPFILTERCTL_SOCKET", socket.toString());
    pb.environment().put("XTABLES_LOCKFILE", lock.toString());
    Process p = pb.start();
    CompletableFuture<String> err =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                return "";
              }
            });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    Ran local = inProcess("iptables", "-A", "NOCHAIN", "-j", "DROP");
    assertThat(p.exitValue()).isEqualTo(local.rc()).isNotZero();
    assertThat(err.get()).isEqualTo(local.err());
    List<String> loaded = out.lines().filter(l -> l.startsWith("[")).toList();
    assertThat(loaded).as("classes loaded").isNotEmpty();
    assertThat(loaded)
        .noneMatch(
            l ->
                l.contains("picocli")
                    || l.contains("org.jline")
                    || l.contains("lanterna")
                    || l.contains("jnr."));
    assertThat(loaded)
        .noneMatch(
            l -> l.contains("bpfilterctl.cli.Main ") || l.contains("bpfilterctl.cli.Session "));
  }

  @Test
  void commandsOfTheTerminalAndOfProcessesStayInTheCaller() {
    assertThat(OneShotClient.runsInDaemon(new String[] {"iptables", "-S"})).isTrue();
    assertThat(OneShotClient.runsInDaemon(new String[] {"--color", "never", "status"})).isTrue();
    assertThat(OneShotClient.runsInDaemon(new String[] {"--version"})).isTrue();
    assertThat(OneShotClient.runsInDaemon(new String[] {"log", "-n", "3"})).isTrue();
    assertThat(OneShotClient.runsInDaemon(new String[] {})).as("the shell").isFalse();
    assertThat(OneShotClient.runsInDaemon(new String[] {"--batch", "-"})).isFalse();
    assertThat(OneShotClient.runsInDaemon(new String[] {"-q"})).as("a batch on stdin").isFalse();
    assertThat(OneShotClient.runsInDaemon(new String[] {"log", "-f"})).isFalse();
    for (String local :
        new String[] {"watch", "exec", "daemon", "hook", "completion", "traffic", "raw"}) {
      assertThat(OneShotClient.runsInDaemon(new String[] {"-j", local})).as(local).isFalse();
    }
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonPaths;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.module.ModuleHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands talk to the daemon when one answers, and to an embedded host otherwise. */
class DaemonSessionTest {
  @TempDir Path dir;

  /** Runs a command; returns its exit status, stdout and stderr. */
  private record Ran(int rc, String out, String err) {}

  private static Ran ran(Session s, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int rc =
        Commands.create(s, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Ran(rc, out.toString(), err.toString());
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void aOneShotSaysOnceThatItStartedADaemonWhichExitsWhenUnloadedAndIdleKeepingTheTables()
      throws Exception {
    DaemonPaths paths = new DaemonPaths(dir.resolve("one.sock"), dir.resolve("state"));
    StringWriter notices = new StringWriter();
    java.util.function.Supplier<Session> oneShot =
        () ->
            Session.preferringDaemon(paths)
                .oneShot(true)
                .notices(new PrintWriter(notices, true))
                .daemonIdle(1);
    try {
      // usage and refused lines need no module: nothing is started
      try (Session s = oneShot.get()) {
        assertThat(ran(s, "iptables", "-h").rc()).isZero();
        assertThat(ran(s, "iptables", "--bogus").rc()).isEqualTo(2);
      }
      assertThat(notices.toString()).isEmpty();
      assertThat(bpfilterctl.core.daemon.DaemonClient.answers(paths.socket())).isFalse();

      try (Session s = oneShot.get()) {
        Ran r = ran(s, "iptables", "-A", "INPUT", "-s", "192.0.2.1", "-j", "ACCEPT");
        assertThat(r.rc()).isZero();
        assertThat(r.out()).isEmpty();
      }
      assertThat(notices.toString())
          .matches(
              "bpfilterctl: started a daemon \\(pid \\d+\\) on "
                  + java.util.regex.Pattern.quote(paths.socket().toString())
                  + " to keep the module after this command; it exits 1 s after the module is"
                  + " unloaded and idle .*\n");
      java.util.regex.Matcher pid =
          java.util.regex.Pattern.compile("\\(pid (\\d+)\\)").matcher(notices.toString());
      assertThat(pid.find()).isTrue();
      assertThat(
              new String(
                      java.nio.file.Files.readAllBytes(
                          java.nio.file.Path.of("/proc", pid.group(1), "cmdline")),
                      java.nio.charset.StandardCharsets.UTF_8)
                  .split("\0"))
          .as("the daemon's JVM flags, as a daemon started in the foreground has them")
          .contains("-XX:+UseSerialGC", "-Xshare:auto", Main.class.getName(), "daemon");
      try (Session s = oneShot.get()) {
        assertThat(ran(s, "iptables", "-S", "INPUT").out()).contains("-A INPUT -s 192.0.2.1/32");
      }
      assertThat(notices.toString().lines()).as("said once").hasSize(1);

      // loaded, the daemon stays however idle; unloaded and idle, it goes
      Thread.sleep(2500);
      assertThat(bpfilterctl.core.daemon.DaemonClient.answers(paths.socket())).isTrue();
      try (Session s = oneShot.get()) {
        assertThat(ran(s, "unload").rc()).isZero();
      }
      long end = System.nanoTime() + 30_000_000_000L;
      while (bpfilterctl.core.daemon.DaemonClient.answers(paths.socket())
          && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      assertThat(bpfilterctl.core.daemon.DaemonClient.answers(paths.socket())).isFalse();

      // ... and no table went with it
      try (Session s = oneShot.get()) {
        assertThat(ran(s, "iptables", "-S", "INPUT").out()).contains("-A INPUT -s 192.0.2.1/32");
      }
    } finally {
      try (Session s = Session.preferringDaemon(paths)) {
        ran(s, "daemon", "stop", "--socket", paths.socket().toString());
      }
    }
  }

  private String run(Session s, String... args) {
    StringWriter out = new StringWriter();
    int rc =
        Commands.create(s, new PrintWriter(out, true), new PrintWriter(new StringWriter(), true))
            .execute(args);
    assertThat(rc).isZero();
    return out.toString();
  }

  @Test
  void aLoadThroughOneSessionIsSeenByTheNext() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = new ModuleHost(Session.embedded().config());
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      try (Session first = Session.preferringDaemon(sock)) {
        assertThat(run(first, "load")).startsWith("module loaded: umh pid");
      }
      try (Session second = Session.preferringDaemon(sock)) {
        String status = run(second, "status", "--json");
        assertThat(status)
            .startsWith("{\"mode\":\"daemon\",\"state\":\"HEALTHY\"")
            .endsWith(",\"socket\":\"" + sock + "\"}\n");
      }
    }
    try (Session none = Session.preferringDaemon(sock)) {
      assertThat(run(none, "status", "--json"))
          .startsWith("{\"mode\":\"embedded\",\"state\":\"UNLOADED\"")
          .endsWith(",\"socket\":null}\n");
    }
  }

  @Test
  void getAndSetOneShotsGoThroughTheDaemon() throws Exception {
    Path sock = dir.resolve("d.sock");
    Path blob = dir.resolve("filter.bin");
    java.nio.file.Files.write(blob, SockoptCommandsTest.filterWithOneRule(4).encode());
    try (ModuleHost host = new ModuleHost(Session.embedded().config());
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      host.load();
      try (Session s = Session.preferringDaemon(sock)) {
        assertThat(run(s, "set", "replace", blob.toString()))
            .startsWith("replaced table filter: 5");
      }
      try (Session s = Session.preferringDaemon(sock)) {
        assertThat(run(s, "set", "counters", "--counters", "0:2:120")).contains("5 entries");
      }
      try (Session s = Session.preferringDaemon(sock)) {
        assertThat(run(s, "get", "entries"))
            .contains("num_entries 5  size 784")
            .contains("src 10.0.0.1/255.255.255.255")
            .contains("counters  2 packets  120 bytes");
        assertThat(run(s, "get", "info", "--json")).contains("\"num_entries\":5,");
      }
    }
  }

  @Test
  void iptablesCommandsFromSeveralSessionsShareTheDaemonsTables() throws Exception {
    Path sock = dir.resolve("d.sock");
    try (ModuleHost host = new ModuleHost(Session.embedded().config());
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      // the first iptables loads the daemon's module, as ip_tables loads on first use
      try (Session s = Session.preferringDaemon(sock)) {
        run(s, "iptables", "-N", "ssh");
        run(s, "iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ssh");
      }
      try (Session s = Session.preferringDaemon(sock)) {
        run(s, "iptables", "-A", "ssh", "-s", "192.0.2.0/24", "-j", "ACCEPT");
      }
      try (Session s = Session.preferringDaemon(sock)) {
        assertThat(run(s, "iptables-save"))
            .contains(
                ":ssh - [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ssh\n"
                    + "-A ssh -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n");
      }
      assertThat(host.status().state().name()).isEqualTo("HEALTHY");
    }
  }

  @Test
  void aOneShotLoadWithNoDaemonStartsOneDetachedAndSaysSo() throws Exception {
    DaemonPaths paths = new DaemonPaths(dir.resolve("one.sock"), dir.resolve("state"));
    StringWriter err = new StringWriter();
    try (Session oneShot =
        Session.preferringDaemon(paths).oneShot(true).notices(new PrintWriter(err, true))) {
      String out = run(oneShot, "load");
      assertThat(out).matches("module loaded: umh pid \\d+ healthy in \\d+ ms\n");
      assertThat(err.toString())
          .startsWith("bpfilterctl: started a daemon (pid ")
          .contains("on " + paths.socket());
    }
    try (Session next = Session.preferringDaemon(paths)) {
      assertThat(run(next, "status", "--json"))
          .as("the module outlived the one-shot process that loaded it")
          .contains("\"state\":\"HEALTHY\"");
      assertThat(run(next, "daemon", "stop", "--socket", paths.socket().toString()))
          .contains("stopped");
    }
  }
}

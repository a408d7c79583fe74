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
        assertThat(status).startsWith("{\"mode\":\"daemon at " + sock + "\",\"state\":\"HEALTHY\"");
      }
    }
    try (Session none = Session.preferringDaemon(sock)) {
      assertThat(run(none, "status", "--json"))
          .startsWith("{\"mode\":\"embedded\",\"state\":\"UNLOADED\"");
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
    try (Session oneShot = Session.preferringDaemon(paths).oneShot(true)) {
      String out = run(oneShot, "load");
      assertThat(out).startsWith("no daemon was running: started one (pid ");
      assertThat(out).containsPattern("module loaded: umh pid \\d+");
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

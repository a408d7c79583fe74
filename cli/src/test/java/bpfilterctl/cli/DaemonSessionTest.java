package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.daemon.AccessPolicy;
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
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleHost;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** log -f: the backlog, then new lines as they come, until cancelled or the module goes away. */
class LogFollowTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private static CompletableFuture<Integer> follow(
      Session s, StringWriter out, StringWriter err, String... extra) {
    String[] args = new String[extra.length + 2];
    args[0] = "log";
    args[1] = "-f";
    System.arraycopy(extra, 0, args, 2, extra.length);
    return CompletableFuture.supplyAsync(
        () ->
            Commands.create(s, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args));
  }

  private static void await(Supplier<Boolean> what, String description)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!what.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT + ": " + description);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void followsTheEmbeddedLogUntilCancelled() throws Exception {
    try (Session s = Session.embedded()) {
      StringWriter ignored = new StringWriter();
      int umh =
          Commands.create(s, new PrintWriter(ignored), new PrintWriter(ignored)).execute("load")
                  == 0
              ? s.embeddedHost().status().umhPid()
              : -1;
      assertThat(umh).isPositive();
      // The umh's own "started" line comes through its stderr pipe, and on a busy machine after
      // the host's "healthy in": the last line is whichever came last, once both are there.
      await(
          () ->
              s.embeddedHost().log(100).stream()
                  .anyMatch(l -> l.text().contains("umh " + umh + " started (")),
          "the umh's start line is logged");
      List<LogLine> logged = s.embeddedHost().log(1);
      String last = logged.get(logged.size() - 1).text();
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CompletableFuture<Integer> rc = follow(s, out, err, "-n", "1");
      await(() -> out.toString().contains(last), "the last line is shown: " + last);
      assertThat(out.toString().split("\n")).hasSize(1);

      ProcessHandle.of(umh).orElseThrow().destroyForcibly();
      await(
          () -> out.toString().contains("killed by signal 9"), "the umh's death follows:\n" + out);
      assertThat(rc).isNotDone();

      s.cancel();
      assertThat(rc.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isZero();
      assertThat(err.toString()).isEmpty();
    }
  }

  @Test
  void anEmbeddedModuleThatIsNotLoadedHasNothingToFollow() {
    try (Session s = Session.embedded()) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      int rc =
          Commands.create(s, new PrintWriter(out, true), new PrintWriter(err, true))
              .execute("log", "-f");
      assertThat(rc).isEqualTo(ExitCodes.MODULE_DOWN);
      assertThat(err.toString()).contains("module not loaded (UNLOADED): nothing to follow");
    }
  }

  @Test
  void followsTheDaemonsLogAsJsonUntilItGoesAway() throws Exception {
    Path sock = dir.resolve("d.sock");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CompletableFuture<Integer> rc;
    Session follower;
    try (ModuleHost host = new ModuleHost(Session.embedded().config());
        DaemonServer server =
            new DaemonServer(
                host, sock, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      host.load();
      follower = Session.preferringDaemon(sock);
      rc = follow(follower, out, err, "--json", "-n", "2");
      await(() -> out.toString().split("\n").length == 2, "the backlog:\n" + out);

      // Another client's load of another umh: its lines reach the follower.
      try (Session other = Session.preferringDaemon(sock)) {
        StringWriter o = new StringWriter();
        Commands.create(other, new PrintWriter(o), new PrintWriter(o)).execute("unload");
        Commands.create(other, new PrintWriter(o), new PrintWriter(o)).execute("load");
      }
      await(() -> out.toString().contains("stopped (unload)"), "the unload follows:\n" + out);
      await(() -> out.toString().contains("healthy in"), "the new load follows:\n" + out);
      for (String line : out.toString().split("\n")) {
        Map<String, Object> j = JsonReader.parseObject(line);
        assertThat(j.keySet()).containsExactly("at", "pid", "source", "text");
      }
      assertThat(rc).isNotDone();
    }
    // The daemon is gone: so is the module, and the follow ends with 3.
    assertThat(rc.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(ExitCodes.MODULE_DOWN);
    assertThat(err.toString()).contains("log -f: the daemon went away");
    follower.close();
  }
}

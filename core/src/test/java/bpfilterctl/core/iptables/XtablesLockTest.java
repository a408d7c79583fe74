package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xtables lock between writers: a holder that is util-linux flock(1) (the same flock(2)
 * iptables-legacy takes), our commands, and iptables-legacy itself, all on one XTABLES_LOCKFILE in
 * a temp dir (never the machine's /run/xtables.lock). What iptables-legacy prints and returns when
 * the lock is held is the oracle for what ours print and return.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class XtablesLockTest {
  @TempDir Path dir;
  private Path lockFile;
  private Process holder;

  @BeforeEach
  void lockFile() {
    lockFile = dir.resolve("xtables.lock");
  }

  @AfterEach
  void release() throws InterruptedException {
    if (holder != null) {
      holder.destroy();
      holder.waitFor();
    }
  }

  /** flock(1) holding the lock until its stdin closes; returns once it holds it. */
  private void holdWithFlock() throws IOException, InterruptedException {
    Require.that(onPath("flock"), "util-linux flock(1) is not installed");
    holder = new ProcessBuilder("flock", lockFile.toString(), "cat").start();
    // ready when a non-blocking try fails
    while (true) {
      Process probe = new ProcessBuilder("flock", "-n", lockFile.toString(), "true").start();
      if (probe.waitFor() != 0) {
        return;
      }
      assertThat(holder.isAlive()).as("flock(1) holding the lock").isTrue();
      Thread.onSpinWait();
    }
  }

  private static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  private OurFrontEnd ours() {
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    return new OurFrontEnd(
        new Iptables(
            ModuleSockopts.direct(engine::handle),
            XtExtensions.standard(),
            Lookups.system(),
            XtablesLock.at(lockFile)));
  }

  /** iptables-legacy's answer to {@code script} with XTABLES_LOCKFILE on our file. */
  private Outcome legacy(String script) throws Exception {
    String why = LegacyKernel.unavailable();
    Require.nothingMissing(why);
    return LegacyKernel.run("export XTABLES_LOCKFILE=" + lockFile + "\n" + script, "");
  }

  @Test
  void environmentNamesTheFile() {
    assertThat(XtablesLock.fromEnvironment(Map.of("XTABLES_LOCKFILE", "/x/y")).file())
        .contains(Path.of("/x/y"));
    assertThat(XtablesLock.fromEnvironment(Map.of("XTABLES_LOCKFILE", "")).file())
        .contains(Path.of("/run/xtables.lock"));
    assertThat(XtablesLock.fromEnvironment(Map.of()).file()).contains(Path.of("/run/xtables.lock"));
  }

  @Test
  void waitSecondsGiveUpAsIptablesLegacyDoes() throws Exception {
    holdWithFlock();
    Outcome kernel = legacy("iptables-legacy -w 1 -A INPUT -j ACCEPT; echo \"rc $?\"");
    Outcome ours = ours().iptables("-w", "1", "-A", "INPUT", "-j", "ACCEPT");
    assertThat(ours.out() + "rc " + ours.status() + "\n").isEqualTo(kernel.out());
    assertThat(ours.err()).isEqualTo(kernel.err());
    assertThat(ours.status()).isEqualTo(4);
  }

  @Test
  void restoreGivesUpAsIptablesLegacyRestoreDoes() throws Exception {
    holdWithFlock();
    String input = "*filter\\n-A INPUT -j ACCEPT\\nCOMMIT\\n";
    Outcome kernel =
        legacy("printf '" + input + "' | iptables-legacy-restore -w 1; echo \"rc $?\"");
    Outcome ours = ours().restore("*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", "-w", "1");
    assertThat(ours.out() + "rc " + ours.status() + "\n").isEqualTo(kernel.out());
    assertThat(ours.err()).isEqualTo(kernel.err());
  }

  @Test
  void anUnopenableLockFileIsFatalAsInIptablesLegacy() throws Exception {
    lockFile = dir.resolve("no/such/dir/xtables.lock");
    Outcome kernel = legacy("iptables-legacy -S; echo \"rc $?\"");
    Outcome ours = ours().iptables("-S");
    assertThat(ours.out() + "rc " + ours.status() + "\n").isEqualTo(kernel.out());
    assertThat(ours.err()).isEqualTo(kernel.err());
  }

  @Test
  void withoutWaitTheCommandWaitsForTheHolder() throws Exception {
    holdWithFlock();
    OurFrontEnd ours = ours();
    // 1.8.9 waits without -w too (its flock has no LOCK_NB), and so does -w 0
    List<CompletableFuture<Outcome>> runs = new java.util.ArrayList<>();
    for (List<String> argv :
        List.of(List.of("-A", "INPUT", "-j", "ACCEPT"), List.of("-w", "0", "-S"))) {
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return ours.iptables(argv.toArray(String[]::new));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    for (CompletableFuture<Outcome> run : runs) {
      assertThatThrownBy(() -> run.get(300, TimeUnit.MILLISECONDS))
          .isInstanceOf(TimeoutException.class);
    }
    holder.getOutputStream().close();
    holder.waitFor();
    for (CompletableFuture<Outcome> run : runs) {
      assertThat(run.get(20, TimeUnit.SECONDS).status()).isZero();
    }
    assertThat(ours.iptables("-S", "INPUT").out()).contains("-A INPUT -j ACCEPT");
  }

  /** Ours holds the lock (mid-command); the real iptables-legacy must wait or give up. */
  @Test
  void iptablesLegacyWaitsForOurHolder() throws Exception {
    String why = LegacyKernel.unavailable();
    Require.nothingMissing(why);
    XtablesLock lock = XtablesLock.at(lockFile);
    XtablesLock.Held held = lock.acquire(-1);
    Path marker = dir.resolve("legacy-done");
    Process legacy;
    try {
      Outcome refused = legacy("iptables-legacy -w 1 -S >/dev/null; echo \"rc $?\"");
      assertThat(refused.out()).isEqualTo("rc 4\n");
      assertThat(refused.err())
          .isEqualTo(
              "Can't lock "
                  + lockFile
                  + ": Resource temporarily unavailable\n"
                  + "Another app is currently holding the xtables lock. Stopped waiting after"
                  + " 1s.\n");
      legacy =
          new ProcessBuilder(
                  "unshare",
                  "-n",
                  "bash",
                  "-c",
                  "XTABLES_LOCKFILE="
                      + lockFile
                      + " iptables-legacy -S >/dev/null; echo $? > "
                      + marker)
              .start();
      assertThat(legacy.waitFor(300, TimeUnit.MILLISECONDS)).as("legacy waits").isFalse();
      assertThat(marker).doesNotExist();
    } finally {
      held.close();
    }
    assertThat(legacy.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(marker, StandardCharsets.US_ASCII).trim()).isEqualTo("0");
  }

  @Test
  void waitArgumentsAreReadAsIptablesLegacyReadsThem() throws Exception {
    List<String> waits = List.of("5x", "0x2", "010", " 7", "abc", "-1", "99999999999", "");
    StringBuilder script = new StringBuilder();
    StringBuilder got = new StringBuilder();
    OurFrontEnd ours = ours();
    for (String w : waits) {
      script.append("iptables-legacy -w '").append(w).append("' -S INPUT 2>&1; echo \"rc $?\"\n");
      script
          .append("printf '*filter\\nCOMMIT\\n' | xtables-legacy-multi iptables-restore -w '")
          .append(w)
          .append("' 2>&1; echo \"rc $?\"\n");
      Outcome o = ours.iptables("-w", w, "-S", "INPUT");
      got.append(o.out()).append(o.err()).append("rc ").append(o.status()).append('\n');
      o = ours.restore("*filter\nCOMMIT\n", "-w", w);
      got.append(o.out()).append(o.err()).append("rc ").append(o.status()).append('\n');
    }
    assertThat(got.toString()).isEqualTo(legacy(script.toString()).out());
  }

  @Test
  void parseErrorsAndHelpComeBeforeTheLock() throws Exception {
    holdWithFlock();
    OurFrontEnd ours = ours();
    assertThat(ours.iptables("-w", "1", "-A").status()).isEqualTo(2);
    assertThat(ours.iptables("-w", "1", "-V").status()).isZero();
    Outcome kernel = legacy("iptables-legacy -w 1 -A; echo \"rc $?\"");
    Outcome o = ours.iptables("-w", "1", "-A");
    assertThat(o.out() + "rc " + o.status() + "\n").isEqualTo(kernel.out());
    assertThat(o.err()).isEqualTo(kernel.err());
  }
}

package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.JavaCommand;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The umh never outlives its host: SIGKILL of the host leaves no umh behind. Nor does a killed host
 * lose a commit it acknowledged: its journal or its table file has it.
 */
class HostDeathTest {
  @Test
  void killingTheHostEndsItsUmh() throws Exception {
    Process host =
        new ProcessBuilder(JavaCommand.ofThisClasspath(HostForTest.class.getName()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int umhPid;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
      umhPid = Integer.parseInt(r.readLine().trim());
      assertThat(ProcessChecks.state(umhPid)).isNotEqualTo((char) 0);
      host.destroyForcibly().waitFor();
    }
    // Orphaned, the umh reads EOF on fd 0 and exits; whoever adopts it reaps it.
    long end = System.currentTimeMillis() + 5000;
    while (System.currentTimeMillis() < end && isRunning(umhPid)) {
      Thread.sleep(10);
    }
    assertThat(isRunning(umhPid)).as("umh %d still running after its host died", umhPid).isFalse();
  }

  /**
   * A host committing as fast as it can is SIGKILLed at random moments (mid journal write, mid
   * table-file catch-up, between): a new host over the same state has the last acknowledged commit,
   * or the one in flight when it died, never an older one or a mixture.
   */
  @Test
  @Timeout(300)
  void aKilledHostLosesNoAcknowledgedCommit(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    Random rnd = new Random(11);
    int base = 0;
    for (int round = 0; round < 6; round++) {
      List<String> cmd =
          new ArrayList<>(JavaCommand.ofThisClasspath(CommitterForTest.class.getName()));
      cmd.addAll(List.of(state.toString(), Integer.toString(base)));
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      int acked = base;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        int killAt = base + 5 + rnd.nextInt(40);
        String line;
        while (acked < killAt && (line = r.readLine()) != null) {
          acked = Integer.parseInt(line.substring("acked ".length()));
        }
        p.toHandle().destroyForcibly(); // SIGKILL, leaving the pipe readable (Process's closes it)
        p.waitFor();
        while ((line = r.readLine()) != null) {
          acked = Integer.parseInt(line.substring("acked ".length())); // printed before it died
        }
      }
      assertThat(acked).as("round %d committed", round).isGreaterThan(base);
      byte[] found;
      try (ModuleHost h = new ModuleHost(CommitterForTest.config(state))) {
        h.load();
        found = FakeTableCalls.dump(h, "filter");
      }
      if (java.util.Arrays.equals(found, expected(dir, acked))) {
        base = acked;
      } else {
        assertThat(found)
            .as("round %d: the last acknowledged commit (%d) or the one in flight", round, acked)
            .isEqualTo(expected(dir, acked + 1));
        base = acked + 1;
      }
    }
  }

  /** What a host shows after committing seed's table, from a state of its own. */
  private static byte[] expected(Path dir, int seed) throws Exception {
    try (ModuleHost ref = new ModuleHost(CommitterForTest.config(dir.resolve("ref-" + seed)))) {
      ref.load();
      FakeTableCalls.replace(ref, CommitterForTest.blob(seed));
      return FakeTableCalls.dump(ref, "filter");
    }
  }

  private static boolean isRunning(int pid) {
    char s = ProcessChecks.state(pid);
    return s != 0 && s != 'Z';
  }
}

package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.JavaCommand;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The umh never outlives its host: SIGKILL of the host leaves no umh behind. */
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

  private static boolean isRunning(int pid) {
    char s = ProcessChecks.state(pid);
    return s != 0 && s != 'Z';
  }
}

package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Command sequences from what iptables' own shell suite checks (iptables/0002-verbose-output: what
 * -v prints of the rule it adds), run by iptables-legacy on the kernel in a fresh namespace and by
 * our front-end on a fresh engine: every command's stdout, stderr and status must agree.
 */
class IptablesAgainstKernelTest {
  private static void same(List<List<String>> commands) throws Exception {
    String why = LegacyKernel.unavailable();
    Require.nothingMissing(why);
    StringBuilder script = new StringBuilder();
    StringBuilder got = new StringBuilder();
    OurFrontEnd ours = new OurFrontEnd();
    for (List<String> argv : commands) {
      script.append("iptables-legacy");
      argv.forEach(w -> script.append(" '").append(w).append('\''));
      script.append(" 2>&1; echo \"rc $?\"\n");
      Outcome o = ours.iptables(argv.toArray(String[]::new));
      got.append(o.out()).append(o.err()).append("rc ").append(o.status()).append('\n');
    }
    assertThat(got.toString()).isEqualTo(LegacyKernel.run(script.toString(), "").out());
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void verboseRuleLinesOfEveryKindOfTarget() throws Exception {
    same(
        List.of(
            List.of("-N", "foo"),
            List.of("-v", "-A", "INPUT", "-j", "foo"),
            List.of("-v", "-A", "INPUT", "-j", "ACCEPT"),
            List.of("-v", "-A", "INPUT"),
            List.of("-v", "-A", "INPUT", "-g", "foo"),
            List.of("-v", "-A", "INPUT", "-j", "LOG"),
            List.of("-v", "-A", "INPUT", "-j", "DROP", "-p", "tcp", "--dport", "5"),
            List.of("-v", "-I", "INPUT", "-j", "RETURN", "-i", "eth2", "-o", "eth3"),
            List.of("-v", "-D", "INPUT", "-j", "RETURN", "-i", "eth2", "-o", "eth3"),
            List.of("-v", "-C", "INPUT", "-j", "foo"),
            List.of("-v", "-R", "INPUT", "1", "-j", "foo", "-s", "10.0.0.1", "-d", "10.0.0.2"),
            List.of(
                "-v", "-A", "FORWARD", "-s", "10.0.0.1,10.0.0.3", "-d", "10.0.0.2", "-j", "DROP"),
            List.of("-v", "-A", "INPUT", "-j", "foo", "-m", "comment", "--comment", "x"),
            List.of("-S")));
  }

  /**
   * -X with no chain tries every user chain and fails with the last refusal (libiptc's
   * for_each_chain goes on past one), committing nothing: "a" is referenced, "b" holds a rule.
   * DifferentialTest's seed 32 found it.
   */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void deletingAllChainsGoesOnPastARefusalAndSaysTheLast() throws Exception {
    same(
        List.of(
            List.of("-N", "a"),
            List.of("-N", "b"),
            List.of("-N", "c"),
            List.of("-A", "INPUT", "-j", "a"),
            List.of("-A", "b", "-j", "ACCEPT"),
            List.of("-X"),
            List.of("-S"),
            List.of("-D", "INPUT", "-j", "a"),
            List.of("-X"),
            List.of("-S"),
            List.of("-N", "d"),
            List.of("-A", "INPUT", "-j", "d"),
            List.of("-X"),
            List.of("-S")));
  }
}

package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * iptables-restore lines whose handling iptables' own shell suite checks (ipt-restore/0005-ipt-6:
 * "-6" lines are skipped, "-4" ones taken; "Parameter too long!", also in quotes; the most words a
 * line can have), each run by iptables-legacy on the kernel in a fresh namespace and by our
 * front-end on a fresh engine: restore's stdout, stderr and status, and then "iptables -S" of
 * filter and nat, must be the same.
 */
class RestoreAgainstKernelTest {
  /** One case: iptables commands run first, restore's options and its input. */
  record Case(String name, List<List<String>> setup, List<String> options, String input) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case c(String name, String setup, String options, String input) {
    List<List<String>> s = new ArrayList<>();
    for (String line : setup.split("\n")) {
      if (!line.isBlank()) {
        s.add(List.of(line.trim().split(" +")));
      }
    }
    return new Case(
        name, s, options.isBlank() ? List.of() : List.of(options.trim().split(" +")), input);
  }

  private static String block(String... lines) {
    return "*filter\n" + String.join("\n", lines) + "\nCOMMIT\n";
  }

  static Stream<Case> cases() {
    String setup = "-N foo\n-A INPUT -j ACCEPT";
    String big = "x".repeat(1023);
    String comments = " -m comment --comment x".repeat(62);
    return Stream.of(
        // ipt-restore/0005-ipt-6 of iptables' suite
        c(
            "family lines",
            "",
            "",
            block(
                "-A FORWARD -m comment --comment any -j ACCEPT",
                "-4 -A FORWARD -m comment --comment ipv4 -j ACCEPT",
                "-6 -A FORWARD -m comment --comment ipv6 -j ACCEPT")),
        c(
            "-6 after the command: what was parsed runs, without addresses",
            setup,
            "--noflush",
            block(
                "-A FORWARD -6 -j ACCEPT",
                "-A FORWARD -j ACCEPT -6 -s 1.2.3.4",
                "-A INPUT -p tcp -6 --dport 5",
                "-A INPUT -m comment -6",
                "-A nochain -6",
                "-I INPUT -6",
                "-D INPUT -6",
                "-C INPUT -6",
                "-A INPUT -j LOG -6",
                "-A INPUT -j foo -6",
                "-N bar -6",
                "-E foo baz -6",
                "-P OUTPUT DROP -6",
                "--ipv6 -A INPUT",
                "-6 bogus stuff",
                "-6 -t nat",
                "-A FORWARD -4 -j DROP",
                "--ipv4 -A FORWARD -j DROP")),
        c("-L then -6", setup, "--noflush", block("-L -6")),
        c("-S then -6", setup, "--noflush", block("-S -6")),
        c("-X then -6", setup, "--noflush", block("-F foo", "-X foo -6")),
        c("-F then -6", setup, "--noflush", block("-F -6")),
        c("-Z then -6", setup, "--noflush", block("-Z INPUT -6")),
        c("-6 before a bad option", "", "", block("-6 --nosuch")),
        c("-4 in a bad line", "", "", block("-4 -A INPUT --nosuch")),
        // issue 17 item 9: quoted words are limited as unquoted ones are
        c("1023-char quoted word", "", "", block("-A INPUT -m comment --comment \"" + big + "\"")),
        c(
            "1024-char quoted word",
            "",
            "",
            block("-A INPUT -m comment --comment \"" + big + "x\" -j ACCEPT")),
        c(
            "1024-char quoted word with escapes",
            "",
            "",
            block("-A INPUT -m comment --comment \"" + big.substring(2) + "\\\"\\\\x\"")),
        c("1024-char unquoted word", "", "", block("-A INPUT -m comment --comment " + big + "x")),
        c("251 words on a line", "", "", block("-A INPUT" + comments + " -v")),
        c("252 words on a line", "", "", block("-A INPUT" + comments + " -v -v")),
        c("252 words with counters", "", "-c", block("[1:2] -A INPUT" + comments + " -v")),
        c(
            "long quoted word in a later block",
            "",
            "",
            block("-A INPUT -j ACCEPT")
                + "*nat\n-A PREROUTING -m comment --comment \""
                + big
                + big
                + "\"\nCOMMIT\n"));
  }

  private static String why;

  @BeforeAll
  static void kernel() {
    why = LegacyKernel.unavailable();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void restoreAnswersAsIptablesLegacy(Case k) throws Exception {
    Require.nothingMissing(why);
    StringBuilder script = new StringBuilder();
    for (List<String> argv : k.setup()) {
      script.append("iptables-legacy ").append(String.join(" ", argv)).append('\n');
    }
    script
        .append("iptables-legacy-restore ")
        .append(String.join(" ", k.options()))
        .append(" >/tmp/bpfilterctl-restore-out 2>/tmp/bpfilterctl-restore-err\n")
        .append("rc=$?\ncat /tmp/bpfilterctl-restore-out; echo \"--\"\n")
        .append("cat /tmp/bpfilterctl-restore-err >&2; echo \"rc $rc\"\n")
        .append("iptables-legacy -S; iptables-legacy -t nat -S\n");
    // the temp files are in the namespace's private /run-less /tmp: use /run (a tmpfs there)
    String sh = script.toString().replace("/tmp/bpfilterctl-", "/run/bpfilterctl-");
    Outcome kernel = LegacyKernel.run(sh, k.input());

    OurFrontEnd ours = new OurFrontEnd();
    for (List<String> argv : k.setup()) {
      assertThat(ours.iptables(argv.toArray(String[]::new)).status()).isZero();
    }
    Outcome r = ours.restore(k.input(), k.options().toArray(String[]::new));
    String out =
        r.out()
            + "--\nrc "
            + r.status()
            + "\n"
            + ours.iptables("-S").out()
            + ours.iptables("-t", "nat", "-S").out();
    assertThat(out).isEqualTo(kernel.out());
    assertThat(r.err()).isEqualTo(kernel.err());
  }
}

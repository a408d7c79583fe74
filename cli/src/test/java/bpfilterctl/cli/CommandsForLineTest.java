package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * A command line builds only the tree it needs: the root and one iptables front-end when that is
 * its command, the whole tree otherwise; and it runs as it does in the whole tree.
 */
class CommandsForLineTest {
  private static Io silent() {
    return new Io(
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), false, false);
  }

  private static CommandLine forLine(Session s, String... argv) {
    return Commands.forLine(s, silent(), argv);
  }

  @Test
  void theCommandWordComesAfterTheGlobalFlagsAndTheRootsOptionsWithTheirValues() {
    try (Session s = Session.embedded()) {
      var root = Commands.create(s, silent()).getCommandSpec();
      assertThat(GlobalFlags.commandWord(root, new String[] {"iptables", "-S"}))
          .isEqualTo("iptables");
      assertThat(GlobalFlags.commandWord(root, new String[] {"-j", "-q", "iptables-save"}))
          .isEqualTo("iptables-save");
      // --color takes a value, which is not the command; --color=WHEN is one word
      assertThat(GlobalFlags.commandWord(root, new String[] {"--color", "never", "status"}))
          .isEqualTo("status");
      assertThat(GlobalFlags.commandWord(root, new String[] {"--color=never", "iptables"}))
          .isEqualTo("iptables");
      // the root's help and version answer for the whole tree
      assertThat(GlobalFlags.commandWord(root, new String[] {"--help", "iptables"})).isEmpty();
      assertThat(GlobalFlags.commandWord(root, new String[] {"-V"})).isEmpty();
      assertThat(GlobalFlags.commandWord(root, new String[] {})).isEmpty();
    }
  }

  @Test
  void anIptablesFrontEndLineBuildsOnlyItsCommandAndAnyOtherLineTheWholeTree() {
    try (Session s = Session.embedded()) {
      int all = Commands.create(s, silent()).getSubcommands().size();
      assertThat(all).isGreaterThan(20);
      for (String frontEnd :
          List.of("iptables", "iptables-save", "iptables-restore", "iptables-xml")) {
        assertThat(forLine(s, "-q", frontEnd, "-h").getSubcommands().keySet())
            .containsExactly(frontEnd);
      }
      assertThat(forLine(s, "status").getSubcommands()).hasSize(all);
      assertThat(forLine(s, "--help", "iptables").getSubcommands()).hasSize(all);
      assertThat(forLine(s, "help", "iptables").getSubcommands()).hasSize(all);
      assertThat(forLine(s, "no-such-command").getSubcommands()).hasSize(all);
    }
  }

  /** What a command line prints and returns, run through GlobalFlags as every front-end does. */
  private record Ran(int rc, String out, String err) {}

  private static Ran run(String... argv) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (Session s = Session.embedded()) {
      int rc =
          GlobalFlags.execute(
              s,
              new Io(new PrintWriter(out, true), new PrintWriter(err, true), false, false),
              argv);
      return new Ran(rc, out.toString(), err.toString());
    }
  }

  private static Ran runInTheWholeTree(String... argv) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    try (Session s = Session.embedded()) {
      int rc =
          Commands.create(s, new PrintWriter(out, true), new PrintWriter(err, true)).execute(argv);
      return new Ran(rc, out.toString(), err.toString());
    }
  }

  @Test
  void aFrontEndRunsInItsOwnTreeAsInTheWholeOne() {
    for (String[] argv :
        new String[][] {
          {"iptables", "-h"},
          {"iptables", "-p", "tcp", "-h"},
          {"iptables", "--bogus"},
          {"iptables", "-A"},
          {"iptables", "--", "-A"},
          {"iptables-save", "--help"},
          {"iptables-save", "-x"},
          {"iptables-restore", "--help"},
          {"iptables-xml", "--help"},
        }) {
      Ran trimmed = run(argv);
      Ran whole = runInTheWholeTree(argv);
      assertThat(trimmed).as(String.join(" ", argv)).isEqualTo(whole);
    }
  }
}

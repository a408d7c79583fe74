package bpfilterctl.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import bpfilterctl.core.iptables.ext.XtExtensions;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

class CommandHighlighterTest {
  private static AttributedString highlight(String line) {
    PrintWriter sink = new PrintWriter(new StringWriter());
    try (Session s = Session.embedded()) {
      return new CommandHighlighter(Commands.create(s, sink, sink), XtExtensions.standard())
          .highlight(null, line);
    }
  }

  @Test
  void knownCommandsAndOptionsAreMarkedAndUnknownOnesAreErrors() {
    AttributedString a = highlight("status --json");
    assertThat(a.toString()).isEqualTo("status --json");
    assertThat(a.styleAt(0)).isEqualTo(CommandHighlighter.COMMAND);
    assertThat(a.styleAt(7)).isEqualTo(CommandHighlighter.OPTION);

    AttributedString b = highlight("stat --jsn");
    assertThat(b.styleAt(0)).isEqualTo(CommandHighlighter.ERROR);

    AttributedString c = highlight("status --jsn 'x");
    assertThat(c.styleAt(7)).isEqualTo(CommandHighlighter.ERROR);
    assertThat(c.styleAt(13)).isEqualTo(CommandHighlighter.ERROR);
  }

  @Test
  void aWordBeingTypedIsNotAnErrorYet() {
    assertThat(highlight("sta").styleAt(0)).isNotEqualTo(CommandHighlighter.ERROR);
    assertThat(highlight("status --js").styleAt(7)).isNotEqualTo(CommandHighlighter.ERROR);
  }

  @Test
  void quotedTextAndCommentsHaveTheirOwnStyle() {
    AttributedString a = highlight("raw 'calls.jsonl' # a comment");
    assertThat(a.styleAt(4)).isEqualTo(CommandHighlighter.QUOTED);
    assertThat(a.styleAt(20)).isEqualTo(CommandHighlighter.COMMENT);
  }

  /** The style of each word of {@code line}, by the word's first character. */
  private static java.util.List<org.jline.utils.AttributedStyle> styles(String line) {
    AttributedString a = highlight(line);
    java.util.List<org.jline.utils.AttributedStyle> out = new java.util.ArrayList<>();
    for (java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\S+").matcher(line);
        m.find(); ) {
      out.add(a.styleAt(m.start()));
    }
    return out;
  }

  @Test
  void iptablesWordsAreReadByIptablesGrammarNotPicocli() {
    var s = styles("iptables -t filter -A INPUT -p tcp --dport 22 -j ACCEPT ");
    var o = CommandHighlighter.OPTION;
    var d = org.jline.utils.AttributedStyle.DEFAULT;
    assertThat(s).containsExactly(CommandHighlighter.COMMAND, o, d, o, d, o, d, o, d, o, d);
    // long forms, abbreviations, clusters, attached values and a target's options
    assertThat(styles("iptables --append INPUT --proto udp --dp 53 -nvL -jLOG --log-prefix x "))
        .doesNotContain(CommandHighlighter.ERROR);
    assertThat(styles("iptables -A INPUT -j LOG --log-prefix x --log-level 4 "))
        .doesNotContain(CommandHighlighter.ERROR);
    assertThat(styles("iptables-save -c -t nat ")).doesNotContain(CommandHighlighter.ERROR);
    assertThat(styles("iptables-restore -n -T filter --test rules.v4 "))
        .doesNotContain(CommandHighlighter.ERROR);
  }

  @Test
  void whatIptablesWouldRefuseIsStillMarked() {
    // --dport before -p tcp loads the tcp match is unknown to iptables as well
    assertThat(styles("iptables -A INPUT --dport 22 -p tcp ").get(3))
        .isEqualTo(CommandHighlighter.ERROR);
    assertThat(styles("iptables -A INPUT -y ").get(3)).isEqualTo(CommandHighlighter.ERROR);
    assertThat(styles("iptables-save --bogus ").get(1)).isEqualTo(CommandHighlighter.ERROR);
    // ... but not while it is still being typed
    assertThat(highlight("iptables -A INPUT -p tcp --dp").styleAt(25))
        .isNotEqualTo(CommandHighlighter.ERROR);
  }
}

package bpfilterctl.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

class CommandHighlighterTest {
  private static AttributedString highlight(String line) {
    PrintWriter sink = new PrintWriter(new StringWriter());
    try (Session s = Session.embedded()) {
      return new CommandHighlighter(Commands.create(s, sink, sink)).highlight(null, line);
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
}

package bpfilterctl.cli.shell;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.ShellWords;
import bpfilterctl.cli.ShellWordsParser;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Parser.ParseContext;
import org.jline.reader.impl.DefaultParser;
import org.junit.jupiter.api.Test;

/**
 * The words that completion and highlighting see are the words that run: for each line, at every
 * cursor, the parser's words (less the empty word completion gets between words) and the
 * highlighter's are what the shell, a batch and watch execute.
 */
class WordsAgreementTest {
  static final List<String> LINES =
      List.of(
          "status --json",
          "  status   --json  ",
          "iptables -A INPUT -m comment --comment 'a b' -j ACCEPT",
          "iptables -A INPUT -j LOG --log-prefix \"drop: \\\"x\\\" \"",
          "raw \"C:\\dir\\file\"",
          "raw a\"b c\"d 'e'f",
          "status # --json",
          "status \\# --json",
          "status a#b",
          "status \\\n  --json",
          "status ab\\\ncd",
          "raw 'a\nb' \"c\\\nd\"",
          "raw it\\'s \"it's\" 'it'\\''s'",
          "raw '' \"\" x",
          "# only a comment",
          "");

  private final ShellWordsParser parser = new ShellWordsParser();

  /** What the shell, a batch and watch run. */
  private static List<String> executed(String line) {
    return ShellWords.split(line);
  }

  @Test
  void completionSeesTheWordsThatRunAtEveryCursor() {
    for (String line : LINES) {
      ShellWords.Scan scan = ShellWords.scan(line);
      for (int c = 0; c <= line.length(); c++) {
        int cursor = c;
        if (scan.comments().stream().anyMatch(s -> cursor > s.start() && cursor <= s.end())) {
          continue; // nothing to complete there (ShellWordsParserTest)
        }
        ShellWordsParser.Line l = parser.parse(line, c, ParseContext.COMPLETE);
        List<String> seen = new ArrayList<>(l.words());
        if (l.rawWordLength() == 0 && l.word().isEmpty()) {
          // the cursor is between words: completion's new word is the only addition
          assertThat(seen.remove(l.wordIndex())).isEmpty();
        }
        assertThat(seen).as("%s at %d", line, c).isEqualTo(executed(line));
      }
      assertThat(parser.parse(line, line.length(), ParseContext.ACCEPT_LINE).words())
          .as(line)
          .isEqualTo(executed(line));
    }
  }

  @Test
  void highlightingSeesTheWordsThatRun() {
    for (String line : LINES) {
      List<String> highlighted =
          CommandHighlighter.tokens(ShellWords.scan(line)).stream()
              .map(CommandHighlighter.Token::text)
              .toList();
      assertThat(highlighted).as(line).isEqualTo(executed(line));
    }
  }

  /** Why one splitter: jline's own parser, as the shell had it, reads some of these otherwise. */
  @Test
  void jlinesDefaultParserDisagreedOnSomeOfTheseLines() {
    DefaultParser old = new DefaultParser();
    old.setEofOnEscapedNewLine(true);
    old.setEofOnUnclosedQuote(true);
    List<String> differing = new ArrayList<>();
    for (String line : LINES) {
      List<String> words =
          new ArrayList<>(old.parse(line, line.length(), ParseContext.COMPLETE).words());
      words.removeIf(String::isEmpty);
      List<String> ours = new ArrayList<>(executed(line));
      ours.removeIf(String::isEmpty);
      if (!words.equals(ours)) {
        differing.add(line);
      }
    }
    assertThat(differing)
        .contains("raw \"C:\\dir\\file\"", "raw a\"b c\"d 'e'f", "status # --json");
  }
}

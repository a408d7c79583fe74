package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jline.reader.EOFError;
import org.jline.reader.Parser.ParseContext;
import org.jline.reader.SyntaxError;
import org.junit.jupiter.api.Test;

class ShellWordsParserTest {
  private final ShellWordsParser parser = new ShellWordsParser();

  private ShellWordsParser.Line complete(String line, int cursor) {
    return parser.parse(line, cursor, ParseContext.COMPLETE);
  }

  /** wordIndex, word, wordCursor, rawWordCursor, rawWordLength at a cursor. */
  private record At(int index, String word, int cursor, int rawCursor, int rawLength) {
    static At of(ShellWordsParser.Line l) {
      return new At(l.wordIndex(), l.word(), l.wordCursor(), l.rawWordCursor(), l.rawWordLength());
    }
  }

  @Test
  void theWordAtEachCursorOfAPlainLine() {
    String line = "status --json";
    for (int c = 0; c <= 6; c++) {
      assertThat(At.of(complete(line, c))).isEqualTo(new At(0, "status", c, c, 6));
      assertThat(complete(line, c).words()).containsExactly("status", "--json");
    }
    for (int c = 7; c <= 13; c++) {
      assertThat(At.of(complete(line, c))).isEqualTo(new At(1, "--json", c - 7, c - 7, 6));
    }
  }

  @Test
  void theWordCursorCountsTextAndTheRawCursorCountsWhatWasTyped() {
    // get 'a b'c\ d
    // 0123456789012
    String line = "get 'a b'c\\ d";
    int[][] expect = {
      // cursor, wordCursor (in "a bc d")
      {4, 0}, {5, 0}, {6, 1}, {7, 2}, {8, 3}, {9, 3}, {10, 4}, {11, 4}, {12, 5}, {13, 6}
    };
    for (int[] e : expect) {
      ShellWordsParser.Line l = complete(line, e[0]);
      assertThat(At.of(l)).as("cursor %d", e[0]).isEqualTo(new At(1, "a bc d", e[1], e[0] - 4, 9));
      assertThat(l.words()).containsExactly("get", "a bc d");
    }
    // inside double quotes an escape counts one character
    ShellWordsParser.Line dq = complete("x \"a\\\"b\"", 6);
    assertThat(At.of(dq)).isEqualTo(new At(1, "a\"b", 2, 4, 6));
  }

  @Test
  void betweenWordsCompletionGetsAnEmptyWordThere() {
    ShellWordsParser.Line mid = complete("get  info", 4);
    assertThat(mid.words()).containsExactly("get", "", "info");
    assertThat(At.of(mid)).isEqualTo(new At(1, "", 0, 0, 0));
    ShellWordsParser.Line end = complete("get ", 4);
    assertThat(end.words()).containsExactly("get", "");
    assertThat(At.of(end)).isEqualTo(new At(1, "", 0, 0, 0));
    ShellWordsParser.Line start = complete("  get", 0);
    assertThat(start.words()).containsExactly("", "get");
    assertThat(At.of(start)).isEqualTo(new At(0, "", 0, 0, 0));
    ShellWordsParser.Line empty = complete("", 0);
    assertThat(empty.words()).containsExactly("");
    assertThat(At.of(empty)).isEqualTo(new At(0, "", 0, 0, 0));
    // right before a comment: a new word, inserted before it
    ShellWordsParser.Line beforeComment = complete("get #x", 4);
    assertThat(beforeComment.words()).containsExactly("get", "");
    // outside completion nothing is inserted: the words are the ones that run
    ShellWordsParser.Line accepted = parser.parse("get  info", 4, ParseContext.ACCEPT_LINE);
    assertThat(accepted.words()).containsExactly("get", "info");
    assertThat(accepted.wordIndex()).isEqualTo(1);
    assertThat(accepted.word()).isEmpty();
  }

  @Test
  void anUnfinishedLineIsAnEofErrorWhenAcceptedAndCompletedWhenCompleting() {
    String[][] cases = {{"status 'a", "quote"}, {"status \"a", "dquote"}, {"status \\", "newline"}};
    for (String[] c : cases) {
      for (ParseContext ctx :
          List.of(
              ParseContext.ACCEPT_LINE, ParseContext.SECONDARY_PROMPT, ParseContext.UNSPECIFIED)) {
        assertThatThrownBy(() -> parser.parse(c[0], c[0].length(), ctx))
            .as("%s in %s", c[0], ctx)
            .isInstanceOf(EOFError.class)
            .extracting(e -> ((EOFError) e).getMissing())
            .isEqualTo(c[1]);
      }
    }
    assertThat(At.of(complete("status 'a", 9))).isEqualTo(new At(1, "a", 1, 2, 2));
    assertThat(complete("status 'a", 9).opening()).isEqualTo('\'');
    assertThat(At.of(complete("status \"a b", 11))).isEqualTo(new At(1, "a b", 3, 4, 4));
    assertThat(At.of(complete("status --js\\", 12))).isEqualTo(new At(1, "--js", 4, 5, 5));
    // a continued line is finished: jline accepts it
    assertThat(parser.parse("status \\\n--json", 15, ParseContext.ACCEPT_LINE).words())
        .containsExactly("status", "--json");
    assertThat(parser.parse("status \\\n", 9, ParseContext.ACCEPT_LINE).words())
        .containsExactly("status");
    assertThat(parser.parse("a 'b\nc'", 7, ParseContext.ACCEPT_LINE).words())
        .containsExactly("a", "b\nc");
  }

  @Test
  void splitLineGivesRawWordsAndNeverFails() {
    assertThat(parser.parse("a 'b c'd \\e \"f", 0, ParseContext.SPLIT_LINE).words())
        .containsExactly("a", "'b c'd", "\\e", "\"f");
  }

  @Test
  void aCursorInACommentHasNothingToComplete() {
    assertThatThrownBy(() -> complete("status # js", 11))
        .isInstanceOf(SyntaxError.class)
        .isNotInstanceOf(EOFError.class);
    assertThatThrownBy(() -> complete("status #", 8)).isInstanceOf(SyntaxError.class);
    assertThat(parser.parse("status # js", 11, ParseContext.ACCEPT_LINE).words())
        .containsExactly("status");
  }

  @Test
  void aCursorPastTheEndIsTheEnd() {
    // jline parses queued commands with the cursor one past the end
    assertThat(parser.parse("status", 7, ParseContext.ACCEPT_LINE).words())
        .containsExactly("status");
    assertThat(parser.parse(null, 0, ParseContext.ACCEPT_LINE).words()).isEmpty();
  }

  @Test
  void escapeKeepsTheWordsQuoteAndClosesItWhenTheCandidateIsWhole() {
    assertThat(complete("raw 'my fi", 10).escape("my file.jsonl", true))
        .hasToString("'my file.jsonl'");
    assertThat(complete("raw 'my fi", 10).escape("my dir/", false)).hasToString("'my dir/");
    assertThat(complete("raw \"my fi", 10).escape("my \"f\"", true))
        .hasToString("\"my \\\"f\\\"\"");
    assertThat(complete("raw my\\ fi", 10).escape("my file", true)).hasToString("my\\ file");
    assertThat(complete("raw a'b", 7).escape("ab c", true)).hasToString("ab\\ c");
  }

  /**
   * What jline does with a candidate: replace the raw word by its escape. The line must then read
   * the candidate as that word, at every cursor of every word of these lines (unfinished or not).
   */
  @Test
  void aCompletedCandidateReadsBackAsTheWord() {
    List<String> lines =
        List.of(
            "raw 'my fi",
            "raw \"a b",
            "raw a\\ b",
            "x 'a b'c",
            "x \"a\\\"b\" y",
            "x a\"b c\"",
            "x --p=\"q r",
            "x \\",
            "x ",
            "");
    List<String> candidates = List.of("plain", "a b", "it's", "q\"r", "back\\", "#h", "$x");
    for (String line : lines) {
      for (int c = 0; c <= line.length(); c++) {
        ShellWordsParser.Line l = complete(line, c);
        int from = c - l.rawWordCursor();
        for (String cand : candidates) {
          String done =
              line.substring(0, from)
                  + l.escape(cand, true)
                  + " "
                  + line.substring(from + l.rawWordLength());
          assertThat(ShellWords.scan(done).texts().get(l.wordIndex()))
              .as("%s, cursor %d, %s -> %s", line, c, cand, done)
              .isEqualTo(cand);
        }
      }
    }
  }
}

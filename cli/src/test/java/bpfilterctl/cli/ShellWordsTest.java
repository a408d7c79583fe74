package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.cli.ShellWords.Missing;
import bpfilterctl.cli.ShellWords.Span;
import bpfilterctl.cli.ShellWords.Word;
import bpfilterctl.core.fixtures.Require;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellWordsTest {
  private static List<String> split(String line) {
    return ShellWords.split(line);
  }

  @Test
  void blanksSeparateWords() {
    assertThat(split("a b\tc\n d \r\f\u000be")).containsExactly("a", "b", "c", "d", "e");
    assertThat(split("   ")).isEmpty();
    assertThat(split("")).isEmpty();
    // only ASCII blanks: a no-break space is part of a word, as in sh
    assertThat(split("a\u00a0b")).containsExactly("a\u00a0b");
  }

  @Test
  void singleQuotesKeepEverything() {
    assertThat(split("'a b' 'c\\d' 'e\"f' 'g\nh' '#i'"))
        .containsExactly("a b", "c\\d", "e\"f", "g\nh", "#i");
    assertThat(split("'a\\'")).containsExactly("a\\");
    assertThat(split("'a\\\nb'")).containsExactly("a\\\nb");
    assertThat(split("''")).containsExactly("");
  }

  @Test
  void doubleQuotesEscapeOnlyDollarBacktickQuoteBackslashAndNewline() {
    assertThat(split("\"a b\"")).containsExactly("a b");
    assertThat(split("\"a\\\"b\" \"a\\\\b\" \"a\\$b\" \"a\\`b\""))
        .containsExactly("a\"b", "a\\b", "a$b", "a`b");
    // before any other character the backslash stays, as POSIX says
    assertThat(split("\"a\\b\" \"\\d+\" \"\\'\"")).containsExactly("a\\b", "\\d+", "\\'");
    // backslash-newline inside double quotes is removed
    assertThat(split("\"a\\\nb\"")).containsExactly("ab");
    assertThat(split("\"a\nb\"")).containsExactly("a\nb");
    assertThat(split("\"'\" \"#\"")).containsExactly("'", "#");
    assertThat(split("\"\"")).containsExactly("");
  }

  @Test
  void aBackslashEscapesTheNextCharacter() {
    assertThat(split("a\\ b \\'c \\\"d \\\\e \\#f \\a"))
        .containsExactly("a b", "'c", "\"d", "\\e", "#f", "a");
  }

  @Test
  void backslashNewlineIsAContinuationThatJoins() {
    assertThat(split("ab\\\ncd")).containsExactly("abcd");
    assertThat(split("ab \\\n  cd")).containsExactly("ab", "cd");
    assertThat(split("ab\\\n")).containsExactly("ab");
    assertThat(split("\\\n")).isEmpty();
  }

  @Test
  void anUnquotedHashWhereAWordStartsBeginsAComment() {
    assertThat(split("a # b 'c")).containsExactly("a");
    assertThat(split("#a b")).isEmpty();
    assertThat(split("a#b c")).containsExactly("a#b", "c");
    assertThat(split("a '#b' \"#c\" \\#d")).containsExactly("a", "#b", "#c", "#d");
    // a comment ends with its line; a backslash in it continues nothing
    assertThat(split("a # b\nc")).containsExactly("a", "c");
    assertThat(ShellWords.scan("a # b \\").missing()).isEqualTo(Missing.COMPLETE);
    assertThat(ShellWords.scan("a # b\nc # d").comments())
        .containsExactly(new Span(2, 5), new Span(8, 11));
  }

  @Test
  void quotesInTheMiddleOfAWordJoinIt() {
    assertThat(split("a'b c'd\"e f\"g")).containsExactly("ab cde fg");
    assertThat(split("--log-prefix=\"x y\" -m'comment'"))
        .containsExactly("--log-prefix=x y", "-mcomment");
  }

  @Test
  void wordsKnowWhereTheyAreAndWhetherTheyWereQuoted() {
    ShellWords.Scan s = ShellWords.scan(" ab 'c d'e \\f\\\ng # h");
    assertThat(s.words())
        .containsExactly(
            new Word(1, 3, "ab", false),
            new Word(4, 10, "c de", true),
            new Word(11, 16, "fg", false));
    assertThat(s.comments()).containsExactly(new Span(17, 20));
    assertThat(s.missing()).isEqualTo(Missing.COMPLETE);
  }

  @Test
  void anUnfinishedLineSaysWhatItLacksAndKeepsWhatWasRead() {
    ShellWords.Scan sq = ShellWords.scan("a 'b c");
    assertThat(sq.missing()).isEqualTo(Missing.SINGLE_QUOTE);
    assertThat(sq.words()).containsExactly(new Word(0, 1, "a", false), new Word(2, 6, "b c", true));
    ShellWords.Scan dq = ShellWords.scan("a x\"b \\\"c");
    assertThat(dq.missing()).isEqualTo(Missing.DOUBLE_QUOTE);
    assertThat(dq.texts()).containsExactly("a", "xb \"c");
    // a backslash that ends the line waits for what it escapes
    assertThat(ShellWords.scan("a \"b\\").texts()).containsExactly("a", "b");
    ShellWords.Scan bs = ShellWords.scan("a b\\");
    assertThat(bs.missing()).isEqualTo(Missing.CONTINUATION);
    assertThat(bs.words()).containsExactly(new Word(0, 1, "a", false), new Word(2, 4, "b", false));
    assertThat(ShellWords.scan("a \\").words()).last().isEqualTo(new Word(2, 3, "", false));

    assertThatThrownBy(() -> split("a 'b")).hasMessage("unterminated single quote");
    assertThatThrownBy(() -> split("a \"b")).hasMessage("unterminated double quote");
    assertThatThrownBy(() -> split("a b\\"))
        .hasMessage("the line ends in a backslash, and no line continues it");
    // an escaped backslash, or one in single quotes... that then ends: still unfinished
    assertThat(ShellWords.scan("a\\\\").missing()).isEqualTo(Missing.COMPLETE);
    assertThat(ShellWords.scan("'a\\'").missing()).isEqualTo(Missing.COMPLETE);
  }

  @Test
  void quoteWritesAWordThatReadsBack() {
    List<String> texts =
        List.of(
            "plain",
            "a b",
            "it's",
            "say \"hi\"",
            "back\\slash",
            "#hash",
            "a#b",
            "tab\there",
            "new\nline",
            "$HOME `x`",
            "",
            "'",
            "\"",
            "\\",
            " ");
    for (String t : texts) {
      for (char opening : new char[] {0, '\'', '"'}) {
        String q = ShellWords.quote(t, opening, true);
        assertThat(split(q)).as("%s quoted with [%s] as %s", t, opening, q).containsExactly(t);
      }
    }
    assertThat(ShellWords.quote("a b", (char) 0, true)).isEqualTo("a\\ b");
    assertThat(ShellWords.quote("a b", '"', true)).isEqualTo("\"a b\"");
    assertThat(ShellWords.quote("a b", '\'', false)).isEqualTo("'a b");
    assertThat(ShellWords.quote("#a#", (char) 0, false)).isEqualTo("\\#a#");
    assertThat(ShellWords.quote("it's", '\'', true)).isEqualTo("'it'\\''s'");
  }

  /** Lines with no expansion or operator, where sh defines the words. */
  static final List<String> SH_LINES =
      List.of(
          "a b\tc",
          "'a b' \"c d\"",
          "\"a\\b\" \"a\\\\b\" \"a\\\"b\" \"a\\$b\" \"a\\`b\" \"\\'\"",
          "'a\\' 'b\\\"' 'c\"d'",
          "a\\ b \\'c \\\"d \\\\e \\#f \\a",
          "a#b # c d",
          "a'b c'd\"e f\"g",
          "'' \"\" x''y",
          "ab\\\ncd ef \\\n gh",
          "'a\nb' \"c\nd\" \"e\\\nf\"",
          "'a\\\nb'",
          "--log-prefix=\"drop: \" -m comment --comment 'it'\\''s'",
          "#only a comment",
          "x \\# '#' \"#\" y#z");

  @Test
  void theWordsAreTheOnesShGives() throws IOException, InterruptedException {
    Path sh = Path.of("/bin/sh");
    Require.that(Files.isExecutable(sh), "/bin/sh is needed to compare with");
    for (String line : SH_LINES) {
      assertThat(split(line)).as("%s", line).isEqualTo(shWords(sh, line));
    }
  }

  /** The words sh reads in {@code line}, with globbing off; each printed NUL-terminated. */
  private static List<String> shWords(Path sh, String line)
      throws IOException, InterruptedException {
    String script =
        "set -f\nset -- " + line + "\nfor w in \"$@\"; do printf '%s\\000' \"$w\"; done\n";
    Process p = new ProcessBuilder(sh.toString(), "-c", script).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    p.getInputStream().transferTo(out);
    assertThat(p.waitFor()).as("sh on %s: %s", line, out).isZero();
    String text = out.toString(StandardCharsets.UTF_8);
    List<String> words = new ArrayList<>();
    int from = 0;
    for (int nul = text.indexOf('\0'); nul >= 0; nul = text.indexOf('\0', from)) {
      words.add(text.substring(from, nul));
      from = nul + 1;
    }
    assertThat(text.substring(from)).as("sh's output after the last word").isEmpty();
    return words;
  }
}

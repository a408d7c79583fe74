package bpfilterctl.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.ShellWords;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.junit.jupiter.api.Test;

/** Watch's command line completes with the shell's parser: quoted words stay quoted words. */
class CommandCompletionTest {
  /** Offers {@code values}, and records the words and word it was asked about. */
  private static final class Fixed implements Completer {
    final List<String> values;
    final List<String> asked = new ArrayList<>();

    Fixed(String... values) {
      this.values = List.of(values);
    }

    @Override
    public void complete(
        org.jline.reader.LineReader reader,
        org.jline.reader.ParsedLine line,
        List<Candidate> candidates) {
      asked.add(line.words() + " @" + line.wordIndex());
      for (String v : values) {
        candidates.add(new Candidate(v, v, null, null, null, null, true));
      }
    }
  }

  /** Types {@code typed}, presses Tab, and returns the line. */
  private static String tab(String typed, String... values) {
    try (CommandCompletion c = new CommandCompletion(new Fixed(values))) {
      LineEditor e = new LineEditor();
      e.insert(typed);
      CommandCompletion.Result r = c.complete(e.text(), e.cursor());
      if (r.candidates().size() == 1) {
        e.replaceBefore(r.rawTyped(), r.insertion(r.candidates().get(0)));
      } else {
        r.commonInsertion().ifPresent(s -> e.replaceBefore(r.rawTyped(), s));
      }
      return e.text();
    }
  }

  @Test
  void aCandidateIsInsertedQuotedAsTheWordIs() {
    assertThat(tab("raw 'my f", "my file.jsonl", "other")).isEqualTo("raw 'my file.jsonl' ");
    assertThat(tab("raw \"my f", "my file.jsonl")).isEqualTo("raw \"my file.jsonl\" ");
    assertThat(tab("raw my\\ f", "my file.jsonl")).isEqualTo("raw my\\ file.jsonl ");
    assertThat(tab("raw my", "my file.jsonl")).isEqualTo("raw my\\ file.jsonl ");
    assertThat(ShellWords.split(tab("raw 'my f", "my file.jsonl")))
        .containsExactly("raw", "my file.jsonl");
    // only the common part, quote left open, when more than one fits
    assertThat(tab("raw 'my", "my file.a", "my file.b")).isEqualTo("raw 'my file.");
  }

  @Test
  void theCompleterIsAskedWithTheWordsThatRun() {
    Fixed f = new Fixed("x");
    try (CommandCompletion c = new CommandCompletion(f)) {
      c.complete("iptables --comment 'a b' -j", 27);
      c.complete("a  b", 2);
    }
    assertThat(f.asked).containsExactly("[iptables, --comment, a b, -j] @3", "[a, , b] @1");
  }

  @Test
  void aCommentHasNoCompletions() {
    Fixed f = new Fixed("x");
    try (CommandCompletion c = new CommandCompletion(f)) {
      assertThat(c.complete("status # x", 10).candidates()).isEmpty();
    }
    assertThat(f.asked).isEmpty();
  }
}

package bpfilterctl.cli;

import java.util.ArrayList;
import java.util.List;
import org.jline.reader.CompletingParsedLine;
import org.jline.reader.EOFError;
import org.jline.reader.Parser;
import org.jline.reader.SyntaxError;

/**
 * The jline {@link Parser} of the shell and of watch's command line: the words completion sees are
 * {@link ShellWords}' words, the ones that run.
 *
 * <p>Accepting a line (any context but COMPLETE and SPLIT_LINE) fails with an {@link EOFError} when
 * the line is unfinished (an open quote, a trailing backslash), so that jline reads a continuation
 * line. Completing never fails for that: the open word is completed. With the cursor in blanks
 * between words, completion gets an empty word there, so that a candidate is inserted as a new word
 * rather than glued to the next one. With the cursor in a comment there is nothing to complete,
 * which this parser says with a {@link SyntaxError} (jline then offers nothing).
 */
public final class ShellWordsParser implements Parser {
  @Override
  public Line parse(String line, int cursor, ParseContext context) throws SyntaxError {
    String text = line == null ? "" : line;
    int at = Math.max(0, Math.min(cursor, text.length()));
    ShellWords.Scan scan = ShellWords.scan(text);
    boolean completing = context == ParseContext.COMPLETE;
    if (!completing && context != ParseContext.SPLIT_LINE && !scan.complete()) {
      throw new EOFError(-1, -1, scan.missing().message(), missing(scan.missing()));
    }
    if (completing) {
      for (ShellWords.Span c : scan.comments()) {
        if (at > c.start() && at <= c.end()) {
          throw new SyntaxError(-1, at, "nothing to complete in a comment");
        }
      }
    }
    List<ShellWords.Word> words = new ArrayList<>(scan.words());
    int index = 0;
    while (index < words.size() && words.get(index).end() < at) {
      index++;
    }
    boolean touching = index < words.size() && words.get(index).start() <= at;
    if (!touching && completing) {
      words.add(index, new ShellWords.Word(at, at, "", false));
      touching = true;
    }
    List<String> texts = new ArrayList<>();
    for (ShellWords.Word w : words) {
      texts.add(context == ParseContext.SPLIT_LINE ? text.substring(w.start(), w.end()) : w.text());
    }
    if (!touching) {
      return new Line(text, at, texts, index, "", 0, 0, 0, (char) 0);
    }
    ShellWords.Word w = words.get(index);
    // The typed part of the word is what its raw text up to the cursor reads as on its own.
    List<String> typed = ShellWords.scan(text.substring(w.start(), at)).texts();
    int wordCursor = typed.isEmpty() ? 0 : typed.get(0).length();
    char first = w.end() > w.start() ? text.charAt(w.start()) : 0;
    char opening = first == '\'' || first == '"' ? first : 0;
    return new Line(
        text,
        at,
        texts,
        index,
        texts.get(index),
        wordCursor,
        at - w.start(),
        w.end() - w.start(),
        opening);
  }

  /** What jline's secondary prompt shows for %M, as its own parser names them. */
  private static String missing(ShellWords.Missing m) {
    return switch (m) {
      case SINGLE_QUOTE -> "quote";
      case DOUBLE_QUOTE -> "dquote";
      case CONTINUATION -> "newline";
      case COMPLETE -> "";
    };
  }

  /**
   * A parsed line. {@code word} is the word at the cursor ("" between words outside completion),
   * {@code wordCursor} the cursor in its text, {@code rawWordCursor} and {@code rawWordLength} the
   * cursor in and the length of its raw form, quotes and backslashes included, which is what a
   * completion replaces; {@code opening} the quote the word starts with, kept by {@link #escape}.
   */
  public record Line(
      String line,
      int cursor,
      List<String> words,
      int wordIndex,
      String word,
      int wordCursor,
      int rawWordCursor,
      int rawWordLength,
      char opening)
      implements CompletingParsedLine {
    public Line {
      words = List.copyOf(words);
    }

    @Override
    public CharSequence escape(CharSequence candidate, boolean complete) {
      return ShellWords.quote(candidate.toString(), opening, complete);
    }
  }
}

package bpfilterctl.cli.watch;

import bpfilterctl.cli.ShellWordsParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.Parser;
import org.jline.reader.SyntaxError;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * The shell's completion for the watch command line: the same jline {@link Completer} over the same
 * model, asked with a line and cursor instead of by a LineReader on the terminal (the file name
 * completer wants a reader, so it gets one on a dumb terminal that reads and writes nothing).
 */
final class CommandCompletion implements AutoCloseable {
  /**
   * The candidates for the word at the cursor, whose text up to the cursor is {@code typed}; an
   * insertion replaces the {@code rawTyped} characters before the cursor (the typed text as it is
   * written, quotes and backslashes included) and is quoted as the word is.
   */
  record Result(
      String typed, int rawTyped, List<Candidate> candidates, ShellWordsParser.Line line) {
    /** No candidates (the cursor is in a comment). */
    static Result none(String line, int cursor) {
      return new Result(
          "",
          0,
          List.of(),
          new ShellWordsParser.Line(line, cursor, List.of(), 0, "", 0, 0, 0, (char) 0));
    }

    /** What all candidates start with: what Tab can insert without choosing. */
    String commonPrefix() {
      if (candidates.isEmpty()) {
        return "";
      }
      String p = candidates.get(0).value();
      for (Candidate c : candidates) {
        int i = 0;
        while (i < p.length() && i < c.value().length() && p.charAt(i) == c.value().charAt(i)) {
          i++;
        }
        p = p.substring(0, i);
      }
      return p;
    }

    /** The text that replaces the typed part of the word with {@code c} (and a blank if whole). */
    String insertion(Candidate c) {
      return line.escape(c.value(), c.complete()) + (c.complete() ? " " : "");
    }

    /**
     * The text that replaces the typed part of the word with the common prefix, if it is longer.
     */
    Optional<String> commonInsertion() {
      String common = commonPrefix();
      return common.length() > typed.length()
          ? Optional.of(line.escape(common, false).toString())
          : Optional.empty();
    }
  }

  private final Completer completer;
  private final Terminal terminal;
  private final LineReader reader;
  private final ShellWordsParser parser = new ShellWordsParser();

  CommandCompletion(Completer completer) {
    this.completer = completer;
    try {
      this.terminal =
          TerminalBuilder.builder()
              .dumb(true)
              .streams(InputStream.nullInputStream(), OutputStream.nullOutputStream())
              .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.reader = LineReaderBuilder.builder().terminal(terminal).parser(parser).build();
  }

  Result complete(String line, int cursor) {
    ShellWordsParser.Line pl;
    try {
      pl = parser.parse(line, cursor, Parser.ParseContext.COMPLETE);
    } catch (SyntaxError e) {
      return Result.none(line, cursor); // the cursor is in a comment
    }
    List<Candidate> all = new ArrayList<>();
    completer.complete(reader, pl, all);
    String typed = pl.word().substring(0, pl.wordCursor());
    List<Candidate> matching = new ArrayList<>();
    for (Candidate c : all) {
      if (c.value().startsWith(typed)
          && matching.stream().noneMatch(m -> m.value().equals(c.value()))) {
        matching.add(c);
      }
    }
    return new Result(typed, pl.rawWordCursor(), matching, pl);
  }

  @Override
  public void close() {
    try {
      terminal.close();
    } catch (IOException e) {
      // a dumb terminal on null streams: nothing to release
    }
  }
}

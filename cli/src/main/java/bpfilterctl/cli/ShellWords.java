package bpfilterctl.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The one word splitter of the shell, its completion and highlighting, batches and watch's command
 * line: POSIX shell quoting for the cases scripts use, without expansions.
 *
 * <ul>
 *   <li>Blanks (space, tab, newline, carriage return, form and line feed) separate words.
 *   <li>Single quotes keep everything up to the next single quote, backslashes and newlines too.
 *   <li>Double quotes keep everything up to the next unescaped double quote; inside them a
 *       backslash escapes only {@code $ ` " \} and newline, as POSIX says, and is kept before any
 *       other character ({@code "a\d"} is {@code a\d}, as in sh).
 *   <li>Outside quotes a backslash escapes the next character.
 *   <li>Backslash-newline outside single quotes is a continuation: both are removed, so {@code
 *       a\<newline>b} is one word {@code ab}, as in sh.
 *   <li>An unquoted {@code #} where a word would start begins a comment, to the end of the line;
 *       inside a word ({@code a#b}) it is an ordinary character.
 *   <li>Nothing is expanded: {@code $}, {@code `}, {@code *}, {@code ~} are ordinary characters, so
 *       a line that uses no expansion has the words sh would give it.
 * </ul>
 *
 * A line is unfinished when it ends inside quotes or in a backslash: the shell then reads a
 * continuation line, a batch its next line, and anything else reports it.
 */
public final class ShellWords {
  private ShellWords() {}

  /** Inside double quotes a backslash escapes these (and newline, which it removes). */
  private static final String DOUBLE_QUOTE_ESCAPES = "$`\"\\";

  /**
   * A word: {@code text} is what the command gets; {@code [start, end)} is where it is in the line,
   * quotes and backslashes included; {@code quoted} says whether any of it was in quotes.
   */
  public record Word(int start, int end, String text, boolean quoted) {}

  /** Where a comment is in the line: {@code [start, end)}, from its # to the newline or the end. */
  public record Span(int start, int end) {}

  /** What an unfinished line lacks; {@link #COMPLETE} when it lacks nothing. */
  public enum Missing {
    COMPLETE(""),
    SINGLE_QUOTE("unterminated single quote"),
    DOUBLE_QUOTE("unterminated double quote"),
    CONTINUATION("the line ends in a backslash, and no line continues it");

    private final String message;

    Missing(String message) {
      this.message = message;
    }

    public String message() {
      return message;
    }
  }

  /**
   * A scanned line: its words, its comments, and what it lacks. When it lacks something, the last
   * word holds what was read of it (a lone trailing backslash is a word with empty text).
   */
  public record Scan(List<Word> words, List<Span> comments, Missing missing) {
    public Scan {
      words = List.copyOf(words);
      comments = List.copyOf(comments);
    }

    public List<String> texts() {
      return words.stream().map(Word::text).toList();
    }

    public boolean complete() {
      return missing == Missing.COMPLETE;
    }
  }

  /** The words of a finished line; an unfinished one is an IllegalArgumentException. */
  public static List<String> split(String line) {
    Scan s = scan(line);
    if (!s.complete()) {
      throw new IllegalArgumentException(s.missing().message());
    }
    return s.texts();
  }

  /** Scans a line, finished or not; never fails. */
  public static Scan scan(String line) {
    List<Word> words = new ArrayList<>();
    List<Span> comments = new ArrayList<>();
    Missing missing = Missing.COMPLETE;
    int n = line.length();
    int i = 0;
    while (i < n) {
      char c = line.charAt(i);
      if (isBlank(c)) {
        i++;
      } else if (c == '#') {
        int end = line.indexOf('\n', i);
        end = end < 0 ? n : end;
        comments.add(new Span(i, end));
        i = end;
      } else if (continuationAt(line, i)) {
        i += 2;
      } else {
        int start = i;
        StringBuilder text = new StringBuilder();
        boolean quoted = false;
        while (i < n && !isBlank(line.charAt(i))) {
          char d = line.charAt(i);
          if (d == '\'') {
            quoted = true;
            int close = line.indexOf('\'', i + 1);
            if (close < 0) {
              text.append(line, i + 1, n);
              missing = Missing.SINGLE_QUOTE;
              i = n;
            } else {
              text.append(line, i + 1, close);
              i = close + 1;
            }
          } else if (d == '"') {
            quoted = true;
            i = doubleQuoted(line, i + 1, text);
            if (i >= n) {
              missing = Missing.DOUBLE_QUOTE;
            } else {
              i++; // the closing quote
            }
          } else if (d == '\\') {
            if (i + 1 >= n) {
              missing = Missing.CONTINUATION;
              i = n;
            } else {
              if (line.charAt(i + 1) != '\n') {
                text.append(line.charAt(i + 1));
              }
              i += 2;
            }
          } else {
            text.append(d);
            i++;
          }
        }
        words.add(new Word(start, i, text.toString(), quoted));
      }
    }
    return new Scan(words, comments, missing);
  }

  /**
   * Reads double-quoted text from {@code i} (after the opening quote) into {@code text}; returns
   * the index of the closing quote, or the line's length when there is none. A backslash that ends
   * the line is dropped: it waits for the character it will escape.
   */
  private static int doubleQuoted(String line, int i, StringBuilder text) {
    int n = line.length();
    while (i < n && line.charAt(i) != '"') {
      char d = line.charAt(i);
      if (d == '\\' && i + 1 < n) {
        char e = line.charAt(i + 1);
        if (e == '\n') {
          i += 2;
          continue;
        }
        if (DOUBLE_QUOTE_ESCAPES.indexOf(e) >= 0) {
          text.append(e);
          i += 2;
          continue;
        }
      } else if (d == '\\') {
        return n;
      }
      text.append(d);
      i++;
    }
    return i;
  }

  private static boolean continuationAt(String line, int i) {
    return line.charAt(i) == '\\' && i + 1 < line.length() && line.charAt(i + 1) == '\n';
  }

  static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000b';
  }

  /**
   * How to write {@code text} as (the start of) one word that {@link #scan} reads back as {@code
   * text}: inside the quote the word was opened with ({@code '} or {@code "}; 0 for none), closed
   * when {@code close}; with no quote, special characters get a backslash (a newline, which a
   * backslash would turn into a continuation, gets single quotes instead).
   */
  public static String quote(String text, char opening, boolean close) {
    StringBuilder sb = new StringBuilder();
    if (opening == 0 && text.indexOf('\n') >= 0) {
      opening = '\'';
      close = true;
    }
    switch (opening) {
      case '\'' -> {
        sb.append('\'').append(text.replace("'", "'\\''"));
        if (close) {
          sb.append('\'');
        }
      }
      case '"' -> {
        sb.append('"');
        for (char c : text.toCharArray()) {
          if (DOUBLE_QUOTE_ESCAPES.indexOf(c) >= 0) {
            sb.append('\\');
          }
          sb.append(c);
        }
        if (close) {
          sb.append('"');
        }
      }
      case 0 -> {
        if (text.isEmpty() && close) {
          return "''";
        }
        for (int i = 0; i < text.length(); i++) {
          char c = text.charAt(i);
          if (isBlank(c) || c == '\'' || c == '"' || c == '\\' || (c == '#' && i == 0)) {
            sb.append('\\');
          }
          sb.append(c);
        }
      }
      default -> throw new IllegalArgumentException("not a quote: " + opening);
    }
    return sb.toString();
  }
}

package bpfilterctl.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words as a POSIX shell would for the simple cases scripts use: blanks
 * separate, single quotes keep everything, double quotes keep all but backslash escapes, a
 * backslash escapes the next character, and an unquoted # starts a comment.
 */
public final class ShellWords {
  private ShellWords() {}

  public static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated single quote");
        }
        cur.append(line, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        i++;
        while (i < line.length() && line.charAt(i) != '"') {
          if (line.charAt(i) == '\\' && i + 1 < line.length()) {
            i++;
          }
          cur.append(line.charAt(i));
          i++;
        }
        if (i >= line.length()) {
          throw new IllegalArgumentException("unterminated double quote");
        }
        inWord = true;
      } else if (c == '\\' && i + 1 < line.length()) {
        cur.append(line.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else if (c == '#' && !inWord) {
        break;
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(cur.toString());
    }
    return words;
  }
}

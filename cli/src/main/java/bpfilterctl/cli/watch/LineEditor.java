package bpfilterctl.cli.watch;

import java.util.ArrayList;
import java.util.List;

/** The text of a one-line input (the command line, the filter) with its cursor and history. */
final class LineEditor {
  private final StringBuilder text = new StringBuilder();
  private final List<String> history = new ArrayList<>();
  private int cursor;
  private int historyAt;

  String text() {
    return text.toString();
  }

  int cursor() {
    return cursor;
  }

  void insert(char c) {
    text.insert(cursor++, c);
  }

  void insert(String s) {
    text.insert(cursor, s);
    cursor += s.length();
  }

  void backspace() {
    if (cursor > 0) {
      text.deleteCharAt(--cursor);
    }
  }

  void delete() {
    if (cursor < text.length()) {
      text.deleteCharAt(cursor);
    }
  }

  void left() {
    cursor = Math.max(0, cursor - 1);
  }

  void right() {
    cursor = Math.min(text.length(), cursor + 1);
  }

  void home() {
    cursor = 0;
  }

  void end() {
    cursor = text.length();
  }

  /** Replaces the {@code length} characters before the cursor by {@code s}. */
  void replaceBefore(int length, String s) {
    int from = Math.max(0, cursor - length);
    text.replace(from, cursor, s);
    cursor = from + s.length();
  }

  void set(String s) {
    text.setLength(0);
    text.append(s);
    cursor = s.length();
  }

  /** Takes the line: it goes to the history (unless blank) and the editor is empty again. */
  String take() {
    String s = text.toString();
    if (!s.isBlank() && (history.isEmpty() || !history.get(history.size() - 1).equals(s))) {
      history.add(s);
    }
    historyAt = history.size();
    set("");
    return s;
  }

  void historyUp() {
    if (historyAt > 0) {
      set(history.get(--historyAt));
    }
  }

  void historyDown() {
    if (historyAt < history.size() - 1) {
      set(history.get(++historyAt));
    } else {
      historyAt = history.size();
      set("");
    }
  }
}

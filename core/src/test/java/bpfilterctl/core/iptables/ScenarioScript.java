package bpfilterctl.core.iptables;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shell the conformance scenarios are written in, as far as they use it: commands separated by
 * newlines and ';', "#" comment lines, "|| true", ">/dev/null", heredocs into files, "printf '...'
 * | cmd" and "cmd < file", single and double quotes. Each command is handed to a runner with its
 * words and stdin; like "bash -e", a failing command ends the script unless "|| true" follows it.
 */
final class ScenarioScript {
  /** One command: its words, its stdin, whether stdout is thrown away, whether failure is ok. */
  record Command(List<String> words, String stdin, boolean quiet, boolean mayFail) {}

  private ScenarioScript() {}

  static List<Command> parse(String script) {
    Map<String, String> files = new HashMap<>();
    List<Command> out = new ArrayList<>();
    String[] lines = script.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("cat > ") && line.contains("<<")) {
        String path = line.substring(6, line.indexOf(' ', 6));
        String tag = line.substring(line.indexOf("<<") + 2).replace("'", "").trim();
        StringBuilder body = new StringBuilder();
        while (!lines[++i].equals(tag)) {
          body.append(lines[i]).append('\n');
        }
        files.put(path, body.toString());
        continue;
      }
      for (String part : splitOutsideQuotes(line, ';')) {
        if (!part.isBlank()) {
          out.add(command(part.trim(), files));
        }
      }
    }
    return out;
  }

  private static Command command(String text, Map<String, String> files) {
    boolean mayFail = false;
    if (text.endsWith("|| true")) {
      mayFail = true;
      text = text.substring(0, text.length() - "|| true".length()).trim();
    }
    boolean quiet = false;
    if (text.endsWith(">/dev/null")) {
      quiet = true;
      text = text.substring(0, text.length() - ">/dev/null".length()).trim();
    }
    String stdin = "";
    List<String> pipe = splitOutsideQuotes(text, '|');
    if (pipe.size() == 2) {
      List<String> printf = words(pipe.get(0).trim());
      stdin = unescapePrintf(printf.get(1));
      text = pipe.get(1).trim();
    }
    int lt = text.indexOf(" < ");
    if (lt >= 0) {
      stdin = files.get(text.substring(lt + 3).trim());
      text = text.substring(0, lt).trim();
    }
    return new Command(words(text), stdin, quiet, mayFail);
  }

  static List<String> splitOutsideQuotes(String s, char sep) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    char quote = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else if (quote == 0 && c == sep) {
        if (sep == '|' && i + 1 < s.length() && s.charAt(i + 1) == '|') {
          cur.append("||");
          i++;
          continue;
        }
        parts.add(cur.toString());
        cur.setLength(0);
        continue;
      } else if (quote == '"' && c == '\\' && i + 1 < s.length()) {
        cur.append(c).append(s.charAt(++i));
        continue;
      }
      cur.append(c);
    }
    parts.add(cur.toString());
    return parts;
  }

  /** bash word splitting with quotes (no expansions are used by the scenarios). */
  static List<String> words(String s) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        cur.append(s, i + 1, end);
        i = end;
        inWord = true;
      } else if (c == '"') {
        i++;
        while (s.charAt(i) != '"') {
          if (s.charAt(i) == '\\' && "\"\\$`".indexOf(s.charAt(i + 1)) >= 0) {
            i++;
          }
          cur.append(s.charAt(i++));
        }
        inWord = true;
      } else if (c == '\\' && i + 1 < s.length()) {
        cur.append(s.charAt(++i));
        inWord = true;
      } else if (c == ' ' || c == '\t') {
        if (inWord) {
          out.add(cur.toString());
          cur.setLength(0);
          inWord = false;
        }
      } else {
        cur.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      out.add(cur.toString());
    }
    return out;
  }

  private static String unescapePrintf(String s) {
    return s.replace("\\n", "\n").replace("\\t", "\t");
  }
}

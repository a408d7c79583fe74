package bpfilterctl.core.iptables.ext;

import java.util.ArrayList;
import java.util.List;

/** Test-only: a rule line split into words as a shell would (quotes grouped, then dropped). */
final class RuleText {
  private RuleText() {}

  static List<String> split(String rule) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    for (int i = 0; i < rule.length(); i++) {
      char c = rule.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else if (c == '\\' && quote == '"' && i + 1 < rule.length()) {
          cur.append(rule.charAt(++i));
        } else {
          cur.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        inWord = true;
      } else if (c == '\\' && i + 1 < rule.length()) {
        cur.append(rule.charAt(++i));
        inWord = true;
      } else if (Character.isWhitespace(c)) {
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
}

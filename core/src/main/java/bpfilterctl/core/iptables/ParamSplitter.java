package bpfilterctl.core.iptables;

import java.util.ArrayList;
import java.util.List;

/**
 * xshared.c's add_param_to_argv, which iptables-restore and iptables-xml share: blanks split a rule
 * line into words, "..." quotes with backslash escapes inside them, a closing quote ends a word
 * (even an empty one). A word of {@value #PARAM_MAX} characters, quoted or not, or one word more
 * than the store holds is a parameter problem.
 */
final class ParamSplitter {
  /** sizeof(struct xt_param_buf.buffer): a word reaching it is refused. */
  static final int PARAM_MAX = 1024;

  /** MAX_ARGC: the store holds at most this many words, argv[0] and a NULL included. */
  static final int MAX_ARGC = 255;

  private ParamSplitter() {}

  /** One word, and whether a quote opened in it (iptables-xml quotes such a word again). */
  record Word(String text, boolean quoted) {}

  /** What add_param_to_argv refuses, in its words; each caller reports it its own way. */
  static final class Problem extends Exception {
    private static final long serialVersionUID = 1L;

    Problem(String message) {
      super(message, null, false, false);
    }
  }

  /** The words of {@code line}; {@code stored} words are in the store already. */
  static List<Word> split(CharSequence line, int stored) throws Problem {
    List<Word> out = new ArrayList<>();
    StringBuilder param = new StringBuilder();
    boolean quoteOpen = false;
    boolean escaped = false;
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoteOpen) {
        if (escaped) {
          add(param, c);
          escaped = false;
          continue;
        } else if (c == '\\') {
          escaped = true;
          continue;
        } else if (c == '"') {
          quoteOpen = false;
        } else {
          add(param, c);
          continue;
        }
      } else if (c == '"') {
        quoteOpen = true;
        quoted = true;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\n') {
        if (param.length() == 0) {
          continue;
        }
      } else if (c != '"') {
        add(param, c);
        continue;
      }
      store(out, stored, param, quoted);
      quoted = false;
    }
    if (param.length() > 0) {
      store(out, stored, param, false);
    }
    return out;
  }

  private static void add(StringBuilder param, char c) throws Problem {
    param.append(c);
    if (param.length() >= PARAM_MAX) {
      throw new Problem("Parameter too long!");
    }
  }

  private static void store(List<Word> out, int stored, StringBuilder param, boolean quoted)
      throws Problem {
    if (stored + out.size() + 1 >= MAX_ARGC) {
      throw new Problem("Parser cannot handle more arguments");
    }
    out.add(new Word(param.toString(), quoted));
    param.setLength(0);
  }
}

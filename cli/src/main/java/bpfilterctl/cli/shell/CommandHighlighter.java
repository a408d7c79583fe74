package bpfilterctl.cli.shell;

import bpfilterctl.cli.ShellWords;
import bpfilterctl.cli.complete.FrontEndGrammar;
import bpfilterctl.cli.complete.LineGrammar;
import bpfilterctl.core.iptables.ext.XtExtensions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import picocli.CommandLine;

/**
 * Colours the line as it is typed, by the same grammar as completion: known commands bold, known
 * options cyan, quoted text yellow, comments faint, and what the parser will reject (an unknown
 * command or option, an unclosed quote) red, before Enter is pressed. After iptables, iptables-save
 * and iptables-restore the words are theirs: read by their getopt grammar (with the options of the
 * matches and targets the line loads), not by picocli's.
 */
public final class CommandHighlighter implements Highlighter {
  static final AttributedStyle COMMAND = AttributedStyle.BOLD.foreground(AttributedStyle.GREEN);
  static final AttributedStyle OPTION = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
  static final AttributedStyle QUOTED = AttributedStyle.DEFAULT.foreground(AttributedStyle.YELLOW);
  static final AttributedStyle COMMENT = AttributedStyle.DEFAULT.faint();
  static final AttributedStyle ERROR = AttributedStyle.BOLD.foreground(AttributedStyle.RED);

  private final CommandLine root;
  private final XtExtensions extensions;

  /**
   * @param extensions the matches and targets whose options an iptables line may use
   */
  public CommandHighlighter(CommandLine root, XtExtensions extensions) {
    this.root = root;
    this.extensions = extensions;
  }

  /** A word of the buffer and where it is; {@code text} is the word with its quotes removed. */
  record Token(int start, int end, String text, boolean quoted, boolean closed) {}

  @Override
  public AttributedString highlight(LineReader reader, String buffer) {
    AttributedStringBuilder sb = new AttributedStringBuilder();
    ShellWords.Scan scan = ShellWords.scan(buffer);
    int pos = 0;
    List<String> before = new ArrayList<>();
    FrontEnd frontEnd = null;
    for (Token t : tokens(scan)) {
      appendBetween(sb, buffer, pos, t.start(), scan.comments());
      boolean finished = t.end() < buffer.length();
      if (frontEnd == null) {
        frontEnd = frontEnd(before);
      }
      AttributedStyle style =
          frontEnd != null ? frontEnd.style(t, before, finished) : style(t, before, finished);
      sb.styled(style, buffer.substring(t.start(), t.end()));
      before.add(t.text());
      pos = t.end();
    }
    appendBetween(sb, buffer, pos, buffer.length(), scan.comments());
    return sb.toAttributedString();
  }

  /** The text between words: blanks, continuations and comments, the comments faint. */
  private static void appendBetween(
      AttributedStringBuilder sb, String buffer, int from, int to, List<ShellWords.Span> comments) {
    int pos = from;
    for (ShellWords.Span c : comments) {
      if (c.start() >= from && c.end() <= to) {
        sb.append(buffer.substring(pos, c.start()));
        sb.styled(COMMENT, buffer.substring(c.start(), c.end()));
        pos = c.end();
      }
    }
    sb.append(buffer.substring(pos, to));
  }

  private AttributedStyle style(Token t, List<String> before, boolean finished) {
    if (!t.closed()) {
      return ERROR;
    }
    if (t.quoted()) {
      return QUOTED;
    }
    LineGrammar at = LineGrammar.walk(root, before);
    if (at.pendingOption() != null) {
      return AttributedStyle.DEFAULT;
    }
    String w = t.text();
    if (w.startsWith("-") && w.length() > 1) {
      if (at.command().findOption(LineGrammar.optionName(w)) != null) {
        return OPTION;
      }
      // A half-typed option is not an error yet; one followed by more text is.
      return finished ? ERROR : AttributedStyle.DEFAULT;
    }
    if (at.positionals() == 0 && !at.command().subcommands().isEmpty()) {
      if (at.command().subcommands().containsKey(w)) {
        return COMMAND;
      }
      if (before.isEmpty()) {
        return finished ? ERROR : AttributedStyle.DEFAULT;
      }
    }
    return AttributedStyle.DEFAULT;
  }

  /** Where the words after a front-end command's name start, read by its grammar; null: none. */
  private FrontEnd frontEnd(List<String> before) {
    if (before.isEmpty()) {
      return null;
    }
    LineGrammar at = LineGrammar.walk(root, before);
    if (!before.get(before.size() - 1).equals(at.command().name())) {
      return null;
    }
    return FrontEndGrammar.of(at.command().name())
        .map(g -> new FrontEnd(g, before.size()))
        .orElse(null);
  }

  /** The words of an iptables, iptables-save or iptables-restore line from index {@code from}. */
  private final class FrontEnd {
    private final FrontEndGrammar grammar;
    private final int from;

    FrontEnd(FrontEndGrammar grammar, int from) {
      this.grammar = grammar;
      this.from = from;
    }

    AttributedStyle style(Token t, List<String> before, boolean finished) {
      if (!t.closed()) {
        return ERROR;
      }
      List<String> words = new ArrayList<>(before.subList(from, before.size()));
      words.add(t.text());
      FrontEndGrammar.WordKind kind = grammar.classify(words, extensions).get(words.size() - 1);
      if (t.quoted()) {
        return QUOTED;
      }
      return switch (kind) {
        case OPTION -> OPTION;
        case VALUE, PLAIN -> AttributedStyle.DEFAULT;
        // A half-typed option is not an error yet; one followed by more text is.
        case UNKNOWN_OPTION ->
            finished
                    || !grammar.couldBecome(
                        t.text(), words.subList(0, words.size() - 1), extensions)
                ? ERROR
                : AttributedStyle.DEFAULT;
      };
    }
  }

  /** The buffer's words as {@link ShellWords} splits them, with whether each one's quote closes. */
  static List<Token> tokens(ShellWords.Scan scan) {
    List<Token> out = new ArrayList<>();
    List<ShellWords.Word> words = scan.words();
    boolean openQuote =
        scan.missing() == ShellWords.Missing.SINGLE_QUOTE
            || scan.missing() == ShellWords.Missing.DOUBLE_QUOTE;
    for (int i = 0; i < words.size(); i++) {
      ShellWords.Word w = words.get(i);
      boolean closed = !(openQuote && i == words.size() - 1);
      out.add(new Token(w.start(), w.end(), w.text(), w.quoted(), closed));
    }
    return out;
  }

  @Override
  public void setErrorPattern(Pattern errorPattern) {}

  @Override
  public void setErrorIndex(int errorIndex) {}
}

package bpfilterctl.cli.commands;

/**
 * The umh answered, but with bytes that do not decode as the structure they should be: exit 1, and
 * {@code --hex} shows what came.
 */
public final class AnswerUndecodable extends Exception {
  private static final long serialVersionUID = 1L;

  public AnswerUndecodable(String what, IllegalArgumentException cause) {
    super(
        "cannot decode " + what + ": " + cause.getMessage() + " (--hex shows the raw reply)",
        cause);
  }
}

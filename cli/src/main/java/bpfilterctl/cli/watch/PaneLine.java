package bpfilterctl.cli.watch;

/**
 * One line of the log pane: the module's log and the command line's echo and output share it, in
 * the order they happened.
 */
public record PaneLine(Kind kind, String text) {
  /** Where a line came from; the pane colours each kind. */
  public enum Kind {
    LOG,
    COMMAND,
    OUTPUT,
    ERROR
  }
}

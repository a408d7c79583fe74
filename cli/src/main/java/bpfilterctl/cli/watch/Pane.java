package bpfilterctl.cli.watch;

/** The panes of watch, in the order Tab visits them. */
public enum Pane {
  TRAFFIC,
  DETAIL,
  LOG,
  COMMAND;

  Pane next() {
    return values()[(ordinal() + 1) % values().length];
  }

  Pane previous() {
    return values()[(ordinal() + values().length - 1) % values().length];
  }
}

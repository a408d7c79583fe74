package bpfilterctl.cli.watch;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import java.util.stream.Collectors;

/**
 * What each key does. In the panes: Tab/Shift-Tab cycle, arrows and PgUp/PgDn scroll, Enter
 * selects, p pauses, / filters, c clears, : goes to the command line, q or Esc leaves. In the
 * command line the keys edit, Tab completes, Enter runs, Esc goes back to the panes, Ctrl-C stops a
 * running command.
 */
final class WatchKeys {
  private final WatchState state;
  private final CommandRunner runner;
  private final CommandCompletion completion;

  WatchKeys(WatchState state, CommandRunner runner, CommandCompletion completion) {
    this.state = state;
    this.runner = runner;
    this.completion = completion;
  }

  void handle(KeyStroke k) {
    if (k.getKeyType() == KeyType.EOF) {
      state.quit(true);
      return;
    }
    if (ctrl(k, 'c')) {
      runner.cancel();
      if (state.focus() == Pane.COMMAND) {
        state.command().set("");
      }
      return;
    }
    if (state.mode() == WatchState.Mode.FILTER) {
      filterKey(k);
    } else if (state.focus() == Pane.COMMAND) {
      commandKey(k);
    } else {
      paneKey(k);
    }
  }

  private void paneKey(KeyStroke k) {
    int page = state.focus() == Pane.TRAFFIC ? state.trafficHeight() : state.bottomHeight();
    switch (k.getKeyType()) {
      case Tab -> state.focus(state.focus().next());
      case ReverseTab -> state.focus(state.focus().previous());
      case Escape -> state.quit(true);
      case ArrowUp -> scroll(-1);
      case ArrowDown -> scroll(1);
      case PageUp -> scroll(-page);
      case PageDown -> scroll(page);
      case Home -> scroll(Integer.MIN_VALUE / 2);
      case End -> scroll(Integer.MAX_VALUE / 2);
      case Enter -> state.select();
      case Character -> {
        switch (Character.toLowerCase(k.getCharacter())) {
          case 'q' -> state.quit(true);
          case 'p' -> {
            state.togglePause();
            state.message(state.paused() ? "paused: frames are still counted" : "resumed");
          }
          case 'c' -> state.clear();
          case 'h' -> state.toggleHandshakes();
          case 'z' -> state.toggleZoom();
          case '/' -> {
            state.mode(WatchState.Mode.FILTER);
            // The current filter, ready for one more word.
            String now = state.filter().describe();
            state.filterText().set(now.isEmpty() ? "" : now + " ");
          }
          case ':', '>' -> state.focus(Pane.COMMAND);
          default -> {
            // other letters do nothing in the panes
          }
        }
      }
      default -> {
        // keys watch does not use
      }
    }
  }

  private void scroll(int delta) {
    switch (state.focus()) {
      case TRAFFIC -> {
        if (delta <= Integer.MIN_VALUE / 4) {
          state.cursorHome();
        } else if (delta >= Integer.MAX_VALUE / 4) {
          state.cursorEnd();
        } else {
          state.moveCursor(delta);
        }
      }
      case DETAIL -> state.scrollDetail(delta);
      case LOG -> state.scrollLog(delta);
      case COMMAND -> {
        // the command line does not scroll
      }
    }
  }

  private void filterKey(KeyStroke k) {
    LineEditor e = state.filterText();
    switch (k.getKeyType()) {
      case Enter -> {
        state.applyFilter(e.take());
        state.mode(WatchState.Mode.NORMAL);
      }
      case Escape -> {
        e.set("");
        state.mode(WatchState.Mode.NORMAL);
        state.message("filter unchanged");
      }
      default -> edit(e, k);
    }
  }

  private void commandKey(KeyStroke k) {
    LineEditor e = state.command();
    switch (k.getKeyType()) {
      case Enter -> runner.submit(e.take());
      case Escape -> state.focus(Pane.TRAFFIC);
      case ReverseTab -> state.focus(state.focus().previous());
      case Tab -> complete(e);
      case ArrowUp -> e.historyUp();
      case ArrowDown -> e.historyDown();
      default -> edit(e, k);
    }
  }

  private void complete(LineEditor e) {
    CommandCompletion.Result r = completion.complete(e.text(), e.cursor());
    if (r.candidates().isEmpty()) {
      state.message("no completions");
      return;
    }
    if (r.candidates().size() == 1) {
      var c = r.candidates().get(0);
      e.replaceBefore(r.rawTyped(), r.insertion(c));
      state.message("");
      return;
    }
    r.commonInsertion().ifPresent(common -> e.replaceBefore(r.rawTyped(), common));
    state.message(r.candidates().stream().map(c -> c.value()).collect(Collectors.joining("  ")));
  }

  private static void edit(LineEditor e, KeyStroke k) {
    switch (k.getKeyType()) {
      case Character -> {
        if (ctrl(k, 'a')) {
          e.home();
        } else if (ctrl(k, 'e')) {
          e.end();
        } else if (ctrl(k, 'u')) {
          e.set("");
        } else if (!k.isCtrlDown() && !k.isAltDown()) {
          e.insert(k.getCharacter());
        }
      }
      case Backspace -> e.backspace();
      case Delete -> e.delete();
      case ArrowLeft -> e.left();
      case ArrowRight -> e.right();
      case Home -> e.home();
      case End -> e.end();
      default -> {
        // not an editing key
      }
    }
  }

  private static boolean ctrl(KeyStroke k, char c) {
    return k.getKeyType() == KeyType.Character
        && k.isCtrlDown()
        && Character.toLowerCase(k.getCharacter()) == c;
  }
}

package bpfilterctl.cli.watch;

import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.ModuleStatus;
import bpfilterctl.core.traffic.TrafficFormat;
import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalPosition;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.TextColor;
import com.googlecode.lanterna.graphics.TextGraphics;
import com.googlecode.lanterna.screen.Screen;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * Draws the state on a lanterna screen: header, traffic pane, detail and log panes side by side,
 * command line, key help. Knows layout and colour, nothing else.
 */
final class WatchView {
  static final int MIN_COLUMNS = 80;
  static final int MIN_ROWS = 24;
  private static final String HELP =
      "Tab pane  arrows/PgUp/PgDn scroll  Enter select  p pause  / filter  h handshakes"
          + "  z zoom  c clear  : command  q quit";

  private final TrafficFormat format;

  WatchView(ZoneId zone) {
    this.format = new TrafficFormat(zone);
  }

  void draw(Screen screen, WatchState s, Optional<String> running, long nowNanos) {
    screen.clear();
    TerminalSize size = screen.getTerminalSize();
    TextGraphics g = screen.newTextGraphics();
    int w = size.getColumns();
    int h = size.getRows();
    if (w < MIN_COLUMNS || h < MIN_ROWS) {
      g.putString(0, 0, fit("terminal too small: " + w + "x" + h, w));
      g.putString(0, 1, fit("watch needs at least " + MIN_COLUMNS + "x" + MIN_ROWS, w));
      g.putString(0, 2, fit("resize it, or press q to leave", w));
      screen.setCursorPosition(null);
      return;
    }
    int rest = h - 5;
    int trafficRows = (rest + 1) / 2;
    int bottomRows = rest - trafficRows;
    s.heights(trafficRows, bottomRows);

    bar(g, 0, w, header(s, nowNanos), true, false);
    drawTraffic(g, s, 1, trafficRows, w);
    // zoomed, the log and output pane takes the whole width: iptables -L -n -v fits
    int split = s.zoomed() ? 0 : w * 3 / 5;
    int bottomTitle = 2 + trafficRows;
    Frame sel = s.selected();
    String detailTitle =
        sel == null ? "detail (Enter on a frame)" : "frame " + sel.seq() + ": " + sel.optionName();
    if (split > 0) {
      bar(g, bottomTitle, split, detailTitle, false, s.focus() == Pane.DETAIL);
    }
    bar(
        g,
        bottomTitle,
        w - split,
        "umh log + output" + (s.logDropped() > 0 ? " (" + s.logDropped() + " older gone)" : ""),
        false,
        s.focus() == Pane.LOG,
        split);
    if (split > 0) {
      drawDetail(g, s, bottomTitle + 1, bottomRows, split - 1);
      for (int r = 0; r < bottomRows; r++) {
        g.setCharacter(split - 1, bottomTitle + 1 + r, '|');
      }
    }
    int logCol = split > 0 ? split + 1 : 0;
    drawLog(g, s, bottomTitle + 1, bottomRows, logCol, w - logCol);
    drawCommand(screen, g, s, h - 2, w, running);
    g.clearModifiers();
    g.setForegroundColor(TextColor.ANSI.DEFAULT);
    g.putString(0, h - 1, fit(s.message().isEmpty() ? HELP : s.message(), w));
  }

  /** Short: nothing when off, "enforced gen N" when on, "UNENFORCED" when asked for but not on. */
  static String enforcement(EnforcementStatus e) {
    return switch (e.state()) {
      case OFF -> "";
      case ON -> " enforced gen " + e.generation();
      case UNAVAILABLE -> " UNENFORCED";
    };
  }

  /** Drops come before the rates: they must show even on an 80-column screen. */
  private String header(WatchState s, long now) {
    long[] pct = s.stats().latencyPercentiles();
    String lat = "p50 " + TrafficFormat.micros(pct[0]) + " p99 " + TrafficFormat.micros(pct[1]);
    if (!s.live()) {
      return "bpf recording: "
          + s.stats().frames()
          + " frames, "
          + s.stats().requests()
          + " requests, "
          + s.stats().errors()
          + " errors | "
          + lat
          + " | "
          + s.handshakeStats().frames()
          + " handshake frames";
    }
    ModuleStatus st = s.status();
    String module =
        st == null
            ? "?"
            : st.state()
                + " umh "
                + (st.umhPid() == 0 ? "-" : st.umhPid())
                + " up "
                + (st.umhPid() == 0 ? "-" : hms(st.uptimeMillis()))
                + " restarts "
                + st.restarts()
                + enforcement(st.enforcement());
    return "bpf "
        + module
        + " drops "
        + s.drops()
        + " | "
        + s.stats().requestsPerSecond(now)
        + " req/s "
        + lat
        + " | hs "
        + s.handshakeStats().requestsPerSecond(now)
        + "/s";
  }

  private void drawTraffic(TextGraphics g, WatchState s, int row, int rows, int w) {
    List<Frame> v = s.visible();
    StringBuilder title = new StringBuilder("traffic - ").append(s.framesSeen()).append(" frames");
    if (!s.filter().all()) {
      title.append(" - filter: ").append(s.filter().describe()).append(" (").append(v.size());
      title.append(" shown)");
    }
    if (s.paused()) {
      title.append(" - PAUSED (+").append(s.whilePaused()).append(")");
    }
    if (!s.showHandshakes() && !s.filter().mentionsHandshakes()) {
      title
          .append(" - ")
          .append(s.handshakeStats().frames())
          .append(" handshake frames hidden (h)");
    }
    bar(g, row, w, title.toString(), false, s.focus() == Pane.TRAFFIC);
    int top = s.trafficTop();
    int cursor = s.cursorIndex();
    for (int r = 0; r < rows && top + r < v.size(); r++) {
      Frame f = v.get(top + r);
      Frame req = f.direction() == Frame.Direction.REPLY ? s.requestOf(f) : null;
      String line = format.line(f, s.decoder().summarize(f, req));
      g.clearModifiers();
      g.setForegroundColor(f.isError() ? TextColor.ANSI.RED : TextColor.ANSI.DEFAULT);
      if (top + r == cursor && s.focus() == Pane.TRAFFIC) {
        g.enableModifiers(SGR.REVERSE);
      } else if (top + r == cursor) {
        g.enableModifiers(SGR.BOLD);
      }
      g.putString(0, row + 1 + r, fit(line, w));
    }
    g.clearModifiers();
    g.setForegroundColor(TextColor.ANSI.DEFAULT);
  }

  private void drawDetail(TextGraphics g, WatchState s, int row, int rows, int w) {
    List<String> d = s.detail();
    for (int r = 0; r < rows && s.detailTop() + r < d.size(); r++) {
      g.putString(0, row + r, fit(d.get(s.detailTop() + r), w));
    }
  }

  private void drawLog(TextGraphics g, WatchState s, int row, int rows, int col, int w) {
    List<PaneLine> lines = s.logLines();
    int top = s.logTop();
    for (int r = 0; r < rows && top + r < lines.size(); r++) {
      PaneLine l = lines.get(top + r);
      g.setForegroundColor(
          switch (l.kind()) {
            case LOG -> TextColor.ANSI.DEFAULT;
            case COMMAND -> TextColor.ANSI.CYAN;
            case OUTPUT -> TextColor.ANSI.GREEN;
            case ERROR -> TextColor.ANSI.RED;
          });
      g.putString(col, row + r, fit(l.text(), w));
    }
    g.setForegroundColor(TextColor.ANSI.DEFAULT);
  }

  private void drawCommand(
      Screen screen, TextGraphics g, WatchState s, int row, int w, Optional<String> running) {
    boolean filtering = s.mode() == WatchState.Mode.FILTER;
    LineEditor e = filtering ? s.filterText() : s.command();
    String prompt = filtering ? "/ " : "> ";
    String tail =
        running.map(r -> "  [running: " + r + " - Ctrl-C stops]").orElse("")
            + (filtering ? "  [Enter applies, Esc cancels]" : "");
    g.clearModifiers();
    if (s.focus() == Pane.COMMAND || filtering) {
      g.enableModifiers(SGR.BOLD);
    }
    // The line scrolls sideways so that the cursor stays on the screen.
    int room = Math.max(10, w - prompt.length() - tail.length() - 1);
    int from = Math.max(0, e.cursor() - room + 1);
    String shown = e.text().substring(from, Math.min(e.text().length(), from + room));
    g.putString(0, row, fit(prompt + shown + tail, w));
    g.clearModifiers();
    screen.setCursorPosition(
        s.focus() == Pane.COMMAND || filtering
            ? new TerminalPosition(prompt.length() + e.cursor() - from, row)
            : null);
  }

  private static void bar(
      TextGraphics g, int row, int w, String text, boolean reverse, boolean on) {
    bar(g, row, w, text, reverse, on, 0);
  }

  /** A title bar: "-- text -----" across the width, bold and reversed for the focused pane. */
  private static void bar(
      TextGraphics g, int row, int w, String text, boolean reverse, boolean on, int col) {
    g.clearModifiers();
    if (reverse || on) {
      g.enableModifiers(SGR.REVERSE);
    }
    if (on) {
      g.enableModifiers(SGR.BOLD);
    }
    String t = reverse ? " " + text + " " : "-- " + text + " ";
    g.putString(col, row, fit(t + (reverse ? " " : "-").repeat(Math.max(0, w - t.length())), w));
    g.clearModifiers();
  }

  static String fit(String s, int w) {
    return s.length() <= w ? s : s.substring(0, Math.max(0, w));
  }

  private static String hms(long millis) {
    Duration d = Duration.ofMillis(millis);
    return String.format("%02d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}

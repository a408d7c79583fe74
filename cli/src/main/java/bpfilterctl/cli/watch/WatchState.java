package bpfilterctl.cli.watch;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleStatus;
import bpfilterctl.core.traffic.EntryRenderer;
import bpfilterctl.core.traffic.FrameDecoder;
import bpfilterctl.core.traffic.FrameFilter;
import bpfilterctl.core.traffic.FrameLog;
import bpfilterctl.core.traffic.TrafficStats;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What watch shows, apart from how: the frames kept, the sampled figures, the filter, pause, focus,
 * the cursor and scroll of each pane, the log pane's lines and the two line editors. Owned by the
 * UI thread; no terminal code here.
 */
public final class WatchState {
  static final int FRAMES_KEPT = 20_000;
  static final int LOG_KEPT = 2_000;
  static final int HEX_LINES = 4096;
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

  /** What the keyboard is typing into besides the panes. */
  enum Mode {
    NORMAL,
    FILTER
  }

  private final FrameLog frames = new FrameLog(FRAMES_KEPT);
  private final TrafficStats stats = new TrafficStats(4096);
  private final FrameDecoder decoder;
  private final boolean live;
  private final ArrayDeque<PaneLine> logLines = new ArrayDeque<>();
  private final LineEditor command = new LineEditor();
  private final LineEditor filterText = new LineEditor();

  private FrameFilter filter = FrameFilter.ALL;
  // The watchdog's handshakes (two frames a second) drown the rest: hidden unless asked for,
  // and counted apart so that the header's req/s and p99 are the callers'.
  private boolean showHandshakes;
  private final TrafficStats handshakeStats = new TrafficStats(64);
  private boolean zoomed;
  private List<Frame> frozen;
  private long whilePaused;
  private List<Frame> visible;
  private Pane focus = Pane.TRAFFIC;
  private Mode mode = Mode.NORMAL;
  private boolean follow = true;
  private long cursorSeq = -1;
  private int trafficTop;
  private Frame selected;
  private List<String> detail = List.of();
  private int detailTop;
  private boolean logFollow = true;
  private int logTop;
  private String message = "";
  private ModuleStatus status;
  private long drops;
  private boolean quit;
  private int trafficHeight = 10;
  private int bottomHeight = 8;
  private long logDropped;

  /**
   * @param renderer prints a table's entries in the detail pane
   * @param live false for a recording: no rates, no module state
   */
  public WatchState(EntryRenderer renderer, boolean live) {
    this.decoder = new FrameDecoder(renderer);
    this.live = live;
  }

  // ---- what comes in ----

  void addFrames(List<Frame> fs, long nowNanos) {
    for (Frame f : fs) {
      frames.append(f);
      (FrameFilter.isHandshake(f) ? handshakeStats : stats).add(f, nowNanos);
      decoder.observe(f);
      if (frozen != null) {
        whilePaused++;
      }
    }
    if (!fs.isEmpty()) {
      visible = null;
    }
  }

  void addLog(List<LogLine> lines) {
    for (LogLine l : lines) {
      addLine(
          new PaneLine(
              PaneLine.Kind.LOG,
              TIME.format(l.at())
                  + " "
                  + (l.source() == LogLine.Source.UMH ? "umh " : "host ")
                  + l.pid()
                  + "  "
                  + l.text()));
    }
  }

  void addLine(PaneLine line) {
    if (logLines.size() == LOG_KEPT) {
      logLines.removeFirst();
      logDropped++;
      if (!logFollow && logTop > 0) {
        logTop--;
      }
    }
    logLines.addLast(line);
  }

  void status(Optional<ModuleStatus> s, long feedDrops) {
    s.ifPresent(x -> status = x);
    drops = feedDrops;
  }

  // ---- what the panes show ----

  /** The frames the traffic pane lists: filtered, and as they were at the pause while paused. */
  List<Frame> visible() {
    if (visible == null) {
      // Unfiltered and live, the pane reads the log itself: no copy of 20,000 frames a redraw.
      List<Frame> base = frozen != null ? frozen : frames.view();
      boolean hide = !showHandshakes && !filter.mentionsHandshakes();
      visible =
          filter.all() && !hide
              ? base
              : base.stream()
                  .filter(f -> !(hide && FrameFilter.isHandshake(f)) && filter.test(f))
                  .toList();
    }
    return visible;
  }

  /** The cursor's index in {@link #visible()}, -1 when the list is empty. */
  int cursorIndex() {
    List<Frame> v = visible();
    if (v.isEmpty()) {
      return -1;
    }
    if (follow || cursorSeq < 0) {
      return v.size() - 1;
    }
    int lo = 0;
    int hi = v.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (v.get(mid).seq() < cursorSeq) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The first row of the traffic pane, keeping the cursor in view. */
  int trafficTop() {
    int n = visible().size();
    int c = cursorIndex();
    if (follow) {
      trafficTop = Math.max(0, n - trafficHeight);
    } else if (c < trafficTop) {
      trafficTop = c;
    } else if (c >= trafficTop + trafficHeight) {
      trafficTop = c - trafficHeight + 1;
    }
    trafficTop = Math.max(0, Math.min(trafficTop, Math.max(0, n - 1)));
    return trafficTop;
  }

  Frame requestOf(Frame reply) {
    return frames.requestOf(reply);
  }

  FrameDecoder decoder() {
    return decoder;
  }

  // ---- what the keys do ----

  void moveCursor(int delta) {
    List<Frame> v = visible();
    if (v.isEmpty()) {
      return;
    }
    int i = Math.max(0, Math.min(v.size() - 1, cursorIndex() + delta));
    follow = i == v.size() - 1 && delta > 0;
    cursorSeq = v.get(i).seq();
  }

  void cursorHome() {
    List<Frame> v = visible();
    if (!v.isEmpty()) {
      follow = false;
      cursorSeq = v.get(0).seq();
    }
  }

  void cursorEnd() {
    follow = true;
  }

  /** Enter: the frame under the cursor goes to the detail pane. */
  void select() {
    int i = cursorIndex();
    if (i < 0) {
      return;
    }
    Frame f = visible().get(i);
    selected = f;
    cursorSeq = f.seq();
    follow = false;
    Frame req = f.direction() == Frame.Direction.REPLY ? frames.requestOf(f) : null;
    // Eight bytes a line: the dump fits the detail pane of an 80-column screen.
    detail = decoder.detail(f, req, HEX_LINES, 8);
    detailTop = 0;
  }

  void scrollDetail(int delta) {
    detailTop = Math.max(0, Math.min(Math.max(0, detail.size() - bottomHeight), detailTop + delta));
  }

  void scrollLog(int delta) {
    int max = Math.max(0, logLines.size() - bottomHeight);
    int top = logFollow ? max : logTop;
    logTop = Math.max(0, Math.min(max, top + delta));
    logFollow = logTop == max;
  }

  int logTop() {
    return logFollow ? Math.max(0, logLines.size() - bottomHeight) : logTop;
  }

  void togglePause() {
    if (frozen == null) {
      frozen = frames.matching(f -> true);
      whilePaused = 0;
    } else {
      frozen = null;
    }
    visible = null;
  }

  /** c: the traffic pane starts empty; the figures and counts go on. */
  void clear() {
    frames.clear();
    if (frozen != null) {
      frozen = new ArrayList<>();
    }
    visible = null;
    selected = null;
    detail = List.of();
    detailTop = 0;
    follow = true;
    cursorSeq = -1;
    message = "cleared";
  }

  void applyFilter(String text) {
    try {
      filter = FrameFilter.parse(text);
      visible = null;
      follow = true;
      message = filter.all() ? "filter off" : "filter: " + filter.describe();
    } catch (IllegalArgumentException e) {
      message = "bad filter: " + e.getMessage();
    }
  }

  /** h: the handshakes in the traffic pane, or not. */
  void toggleHandshakes() {
    showHandshakes = !showHandshakes;
    visible = null;
    message =
        showHandshakes
            ? "handshakes shown (h hides them)"
            : "handshakes hidden, still counted (h shows them)";
  }

  boolean showHandshakes() {
    return showHandshakes;
  }

  /** The handshake frames seen, apart from the others. */
  TrafficStats handshakeStats() {
    return handshakeStats;
  }

  /** z: the log and output pane across the whole width (for iptables -L -n -v), or not. */
  void toggleZoom() {
    zoomed = !zoomed;
    message = zoomed ? "output pane at full width (z again: back)" : "output pane beside detail";
  }

  boolean zoomed() {
    return zoomed;
  }

  // ---- plain accessors ----

  boolean live() {
    return live;
  }

  TrafficStats stats() {
    return stats;
  }

  long framesSeen() {
    return frames.appended();
  }

  FrameFilter filter() {
    return filter;
  }

  boolean paused() {
    return frozen != null;
  }

  long whilePaused() {
    return whilePaused;
  }

  Pane focus() {
    return focus;
  }

  void focus(Pane p) {
    focus = p;
  }

  Mode mode() {
    return mode;
  }

  void mode(Mode m) {
    mode = m;
  }

  Frame selected() {
    return selected;
  }

  List<String> detail() {
    return Collections.unmodifiableList(detail);
  }

  int detailTop() {
    return detailTop;
  }

  List<PaneLine> logLines() {
    return List.copyOf(logLines);
  }

  long logDropped() {
    return logDropped;
  }

  LineEditor command() {
    return command;
  }

  LineEditor filterText() {
    return filterText;
  }

  String message() {
    return message;
  }

  void message(String m) {
    message = m;
  }

  ModuleStatus status() {
    return status;
  }

  long drops() {
    return drops;
  }

  boolean quit() {
    return quit;
  }

  void quit(boolean q) {
    quit = q;
  }

  int trafficHeight() {
    return trafficHeight;
  }

  int bottomHeight() {
    return bottomHeight;
  }

  /** The view tells the panes' heights at each draw; paging and following use the last ones. */
  void heights(int traffic, int bottom) {
    trafficHeight = Math.max(1, traffic);
    bottomHeight = Math.max(1, bottom);
  }
}

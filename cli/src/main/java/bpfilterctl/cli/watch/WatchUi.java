package bpfilterctl.cli.watch;

import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.traffic.EntryRenderer;
import bpfilterctl.core.traffic.TrafficFeed;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.screen.Screen;
import java.io.IOException;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jline.reader.Completer;

/**
 * The watch loop: every few milliseconds it answers the keys that came, takes what the feed and the
 * command line produced, and redraws if anything changed, at most 30 times a second. The feed is
 * sampled here, on this thread: the module's request path only ever offers to a bounded queue.
 */
public final class WatchUi implements AutoCloseable {
  static final long MIN_DRAW_NANOS = TimeUnit.SECONDS.toNanos(1) / 30;
  private static final long STATUS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  private static final long TICK_MILLIS = 5;
  private static final int MAX_FRAMES_PER_STEP = 100_000;
  private static final int MAX_KEYS_PER_STEP = 256;

  private final Screen screen;
  private final TrafficFeed feed;
  private final WatchState state;
  private final CommandRunner runner;
  private final WatchKeys keys;
  private final WatchView view;
  private final BooleanSupplier leaving;
  private long lastDraw = Long.MIN_VALUE / 2;
  private long lastStatus = Long.MIN_VALUE / 2;
  private boolean dirty = true;
  private long draws;

  private final CommandCompletion completion;

  /**
   * @param feed where frames, log lines and status come from; the caller closes it
   * @param renderer prints table entries in the detail pane
   * @param live false for a recording
   * @param completer the shell's completion, for the command line
   * @param commands runs a command line's words (on a worker thread)
   * @param cancel stops the running command early (the shell's Ctrl-C)
   * @param leaving true when a command (exit) asked the session to end: watch ends with it
   */
  public WatchUi(
      Screen screen,
      TrafficFeed feed,
      EntryRenderer renderer,
      boolean live,
      Completer completer,
      CommandExecutor commands,
      Runnable cancel,
      BooleanSupplier leaving,
      ZoneId zone) {
    this.screen = screen;
    this.feed = feed;
    this.state = new WatchState(renderer, live);
    this.runner = new CommandRunner(commands, cancel);
    this.completion = new CommandCompletion(completer);
    this.keys = new WatchKeys(state, runner, completion);
    this.view = new WatchView(zone);
    this.leaving = leaving;
  }

  WatchState state() {
    return state;
  }

  @Override
  public void close() {
    runner.close();
    completion.close();
  }

  /**
   * Runs until q, Esc or exit; the screen is started here and stopped (terminal restored) after.
   */
  public void run() throws IOException {
    screen.startScreen();
    try {
      while (!done()) {
        step(System.nanoTime());
        try {
          TimeUnit.MILLISECONDS.sleep(TICK_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } finally {
      screen.stopScreen();
    }
  }

  boolean done() {
    return state.quit() || leaving.getAsBoolean();
  }

  /** One turn of the loop. */
  void step(long now) throws IOException {
    for (int i = 0; i < MAX_KEYS_PER_STEP; i++) {
      KeyStroke k = screen.pollInput();
      if (k == null) {
        break;
      }
      keys.handle(k);
      dirty = true;
      if (state.quit()) {
        return;
      }
    }
    List<Frame> frames = feed.drainFrames(MAX_FRAMES_PER_STEP);
    if (!frames.isEmpty()) {
      state.addFrames(frames, now);
      dirty = true;
    }
    List<LogLine> log = feed.drainLog();
    if (!log.isEmpty()) {
      state.addLog(log);
      dirty = true;
    }
    List<PaneLine> out = runner.drain();
    if (!out.isEmpty()) {
      out.forEach(state::addLine);
      dirty = true;
    }
    if (now - lastStatus >= STATUS_EVERY_NANOS) {
      state.status(feed.status(), feed.drops());
      lastStatus = now;
      dirty = true;
    }
    if (screen.doResizeIfNecessary() != null) {
      dirty = true;
      lastDraw = Long.MIN_VALUE / 2;
    }
    if (dirty && now - lastDraw >= MIN_DRAW_NANOS) {
      view.draw(screen, state, runner.running(), now);
      screen.refresh();
      lastDraw = now;
      dirty = false;
      draws++;
    }
  }

  /** Screens drawn so far (the benchmark's redraw rate). */
  public long draws() {
    return draws;
  }
}

package bpfilterctl.core.module;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The bounded in-memory log of the module: the umh's stderr lines and the host's own events. Oldest
 * lines go first when it is full; the number dropped is kept.
 */
public final class ModuleLog {
  /** Longer lines are cut, so that a umh flooding one endless line cannot exhaust memory. */
  public static final int MAX_LINE_CHARS = 4096;

  private final int capacity;
  private final Clock clock;
  private final ArrayDeque<LogLine> lines = new ArrayDeque<>();
  private final List<Consumer<LogLine>> listeners = new ArrayList<>();
  private long dropped;

  public ModuleLog(int capacity, Clock clock) {
    this.capacity = capacity;
    this.clock = clock;
  }

  public void add(int pid, LogLine.Source source, String text) {
    String t = text.length() > MAX_LINE_CHARS ? text.substring(0, MAX_LINE_CHARS) + "…" : text;
    LogLine line = new LogLine(clock.instant(), pid, source, t);
    List<Consumer<LogLine>> toTell;
    synchronized (this) {
      if (lines.size() == capacity) {
        lines.removeFirst();
        dropped++;
      }
      lines.addLast(line);
      toTell = listeners.isEmpty() ? List.of() : List.copyOf(listeners);
    }
    for (Consumer<LogLine> l : toTell) {
      l.accept(line);
    }
  }

  public synchronized List<LogLine> lines() {
    return List.copyOf(lines);
  }

  /** The last {@code n} lines written by {@code pid}. */
  public synchronized List<String> lastOf(int pid, LogLine.Source source, int n) {
    List<String> out = new ArrayList<>();
    var it = lines.descendingIterator();
    while (it.hasNext() && out.size() < n) {
      LogLine l = it.next();
      if (l.pid() == pid && l.source() == source) {
        out.add(0, l.text());
      }
    }
    return out;
  }

  public synchronized long dropped() {
    return dropped;
  }

  /** Listeners are told of every new line on the writer's thread: they must be quick. */
  public synchronized Runnable listen(Consumer<LogLine> listener) {
    listeners.add(listener);
    return () -> {
      synchronized (this) {
        listeners.remove(listener);
      }
    };
  }
}

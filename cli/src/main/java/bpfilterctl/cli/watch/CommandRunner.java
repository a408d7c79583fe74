package bpfilterctl.cli.watch;

import bpfilterctl.cli.ShellWords;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Runs the command line's commands one at a time on a worker thread, so that the screen stays live
 * while one runs; what they print becomes log pane lines.
 */
final class CommandRunner implements AutoCloseable {
  private final CommandExecutor executor;
  private final Runnable cancel;
  private final ConcurrentLinkedQueue<PaneLine> output = new ConcurrentLinkedQueue<>();
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "watch-command");
            t.setDaemon(true);
            return t;
          });
  private volatile String running;

  /**
   * @param cancel asks the running command to stop early (the session's Ctrl-C)
   */
  CommandRunner(CommandExecutor executor, Runnable cancel) {
    this.executor = executor;
    this.cancel = cancel;
  }

  /** Starts {@code line}, or says in the log pane why not. */
  void submit(String line) {
    List<String> words;
    try {
      words = ShellWords.split(line);
    } catch (IllegalArgumentException e) {
      output.add(new PaneLine(PaneLine.Kind.ERROR, "bpfilterctl: " + e.getMessage()));
      return;
    }
    if (words.isEmpty()) {
      return;
    }
    if (running != null) {
      output.add(
          new PaneLine(PaneLine.Kind.ERROR, "'" + running + "' is still running; Ctrl-C stops it"));
      return;
    }
    output.add(new PaneLine(PaneLine.Kind.COMMAND, "> " + line));
    Optional<String> refused = TuiCommandPolicy.refusal(words);
    if (refused.isPresent()) {
      output.add(new PaneLine(PaneLine.Kind.ERROR, refused.get()));
      return;
    }
    running = line;
    worker.execute(
        () -> {
          LineSink outSink = new LineSink(output, PaneLine.Kind.OUTPUT);
          LineSink errSink = new LineSink(output, PaneLine.Kind.ERROR);
          try (PrintWriter out = new PrintWriter(outSink, true);
              PrintWriter err = new PrintWriter(errSink, true)) {
            int rc = executor.run(words, out, err);
            out.flush();
            err.flush();
            outSink.close();
            errSink.close();
            if (rc != 0) {
              output.add(new PaneLine(PaneLine.Kind.ERROR, "[exit " + rc + "]"));
            }
          } catch (RuntimeException e) {
            output.add(new PaneLine(PaneLine.Kind.ERROR, "bpfilterctl: " + e));
          } finally {
            running = null;
          }
        });
  }

  /** The running command's line, if one runs. */
  Optional<String> running() {
    return Optional.ofNullable(running);
  }

  void cancel() {
    if (running != null) {
      cancel.run();
    }
  }

  List<PaneLine> drain() {
    List<PaneLine> out = new ArrayList<>();
    for (PaneLine l = output.poll(); l != null; l = output.poll()) {
      out.add(l);
    }
    return out;
  }

  @Override
  public void close() {
    cancel();
    worker.shutdownNow();
  }
}

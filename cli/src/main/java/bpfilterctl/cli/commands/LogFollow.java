package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code log -f}: the last lines, then every new one, until the session is cancelled (Ctrl-C in the
 * shell; in a one-shot SIGINT ends the process) or the module goes away. New lines are queued from
 * before the backlog is read, and lines seen in both are printed once, so that none is lost or
 * doubled at the seam.
 */
final class LogFollow {
  /** How often the wait for a line looks at Ctrl-C and the module's state. */
  private static final long TICK_MS = 100;

  /** Lines kept while the printer is slower than the log; more are dropped, never blocking. */
  private static final int BACKLOG = 4096;

  private final Session session;
  private final int lines;
  private final Consumer<LogLine> printer;
  private final PrintWriter err;

  LogFollow(Session session, int lines, Consumer<LogLine> printer, PrintWriter err) {
    this.session = session;
    this.lines = lines;
    this.printer = printer;
    this.err = err;
  }

  int run() throws ModuleException, IOException, InterruptedException {
    Optional<DaemonClient> sub = session.newDaemonConnection();
    return sub.isPresent() ? fromDaemon(sub.get()) : embedded(session.embeddedHost());
  }

  private int embedded(ModuleHost host) throws ModuleException, InterruptedException {
    if (ended(host.state())) {
      throw new ModuleException(
          ModuleException.Kind.NOT_LOADED,
          "module not loaded (" + host.state() + "): nothing to follow; load it first");
    }
    BlockingQueue<LogLine> queue = new ArrayBlockingQueue<>(BACKLOG);
    Runnable stop = host.log().listen(queue::offer);
    try {
      Set<LogLine> shown = Collections.newSetFromMap(new IdentityHashMap<>());
      for (LogLine l : host.log(lines)) {
        shown.add(l);
        printer.accept(l);
      }
      while (!session.cancelled()) {
        LogLine l = queue.poll(TICK_MS, TimeUnit.MILLISECONDS);
        if (l != null) {
          if (!shown.remove(l)) {
            printer.accept(l);
          }
        } else if (ended(host.state())) {
          err.printf("bpfilterctl: log -f: the module is %s%n", host.state());
          return ExitCodes.MODULE_DOWN;
        }
      }
      return ExitCodes.OK;
    } finally {
      stop.run();
    }
  }

  /** The embedded module is not coming back without a {@code load}, which nobody can type now. */
  private static boolean ended(ModuleState s) {
    return s == ModuleState.UNLOADED || s == ModuleState.FAILED;
  }

  private int fromDaemon(DaemonClient sub) throws ModuleException, InterruptedException {
    BlockingQueue<String> queue = new ArrayBlockingQueue<>(BACKLOG);
    CountDownLatch subscribed = new CountDownLatch(1);
    CountDownLatch over = new CountDownLatch(1);
    AtomicReference<ModuleException> failure = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                sub.subscribe("log", subscribed::countDown, queue::offer);
              } catch (ModuleException e) {
                failure.set(e);
              } finally {
                subscribed.countDown();
                over.countDown();
              }
            },
            "log-follow");
    reader.setDaemon(true);
    reader.start();
    try {
      subscribed.await();
      if (failure.get() != null) {
        throw failure.get();
      }
      // The backlog over the session's own connection: the subscription already queues lines.
      Set<LogLine> shown = new HashSet<>();
      List<LogLine> backlog = session.module().log(lines);
      for (LogLine l : backlog) {
        shown.add(l);
        printer.accept(l);
      }
      while (!session.cancelled()) {
        String json = queue.poll(TICK_MS, TimeUnit.MILLISECONDS);
        if (json != null) {
          LogLine l = LogLine.fromJson(json);
          if (!shown.remove(l)) {
            printer.accept(l);
          }
        } else if (over.getCount() == 0) {
          ModuleException why = failure.get();
          err.printf(
              "bpfilterctl: log -f: the daemon went away%s%n",
              why == null ? "" : " (" + why.getMessage() + ")");
          return ExitCodes.MODULE_DOWN;
        }
      }
      return ExitCodes.OK;
    } finally {
      try {
        sub.close(); // ends the reader's blocking read
      } catch (IOException e) {
        // closing a connection we are done with
      }
      reader.join(TimeUnit.SECONDS.toMillis(2));
    }
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.traffic.DaemonFeed;
import bpfilterctl.core.traffic.HostFeed;
import bpfilterctl.core.traffic.Recorder;
import bpfilterctl.core.traffic.RecordingWriter;
import bpfilterctl.core.traffic.TrafficFeed;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "record",
    description = {
      "Record every frame on the pipes to FILE, one JSON line each (docs/traffic-format.md).",
      "In the shell it records in the background until `traffic stop` (or the shell ends),"
          + " unless --count or --seconds is given; elsewhere it needs a daemon and records"
          + " until --count, --seconds or Ctrl-C."
    })
public final class TrafficRecordCommand implements Callable<Integer> {
  /** The name of the shell's background recording among the session's jobs. */
  static final String JOB = "traffic-record";

  private static final int QUEUE = 1 << 16;

  /** How long a signalled one-shot waits for the last frames and the summary. */
  private static final long END_GRACE_SECONDS = 5;

  @Mixin private HelpOption helpOption;

  private final Session session;
  private final boolean inShell;
  @Spec private CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "Where to write (replaced if it exists).")
  private Path file;

  @Option(
      names = {"-n", "--count"},
      paramLabel = "N",
      description = "Stop after N frames.")
  private Long count;

  @Option(names = "--seconds", paramLabel = "S", description = "Stop after S seconds.")
  private Double seconds;

  public TrafficRecordCommand(Session session, boolean inShell) {
    this.session = session;
    this.inShell = inShell;
  }

  @Override
  public Integer call() throws IOException, ModuleException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Optional<Path> daemon = session.daemonSocketInUse();
    if (daemon.isEmpty() && !inShell) {
      err.println(
          "bpfilterctl: traffic record: no daemon runs, and this process's own module sees no"
              + " traffic: record in the shell, or start a daemon");
      return ExitCodes.FAILURE;
    }
    boolean background = inShell && count == null && seconds == null;
    TrafficFeed feed =
        daemon.isPresent()
            ? DaemonFeed.open(daemon.get(), QUEUE, 0)
            : new HostFeed(session.embeddedHost(), QUEUE, 0);
    Recorder rec =
        new Recorder(
            feed,
            new RecordingWriter(file),
            count == null ? Long.MAX_VALUE : count,
            seconds == null ? Long.MAX_VALUE : (long) (seconds * 1e9));
    if (background) {
      if (!session.addJob(JOB, new BackgroundRecording(file, rec))) {
        rec.close();
        err.println("bpfilterctl: traffic record: a recording runs already; traffic stop ends it");
        return ExitCodes.FAILURE;
      }
      out.println("recording to " + file + " in the background; traffic stop ends it");
      return ExitCodes.OK;
    }
    // In the foreground: until the count, the time, or Ctrl-C. The shell's Ctrl-C cancels the
    // command. A one-shot's (or a SIGTERM) starts the JVM's shutdown: its hook stops this loop
    // and waits while the last frames are written and the summary printed here.
    AtomicBoolean ending = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              ending.set(true);
              try {
                finished.await(END_GRACE_SECONDS, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "traffic-record-end");
    if (!inShell) {
      Runtime.getRuntime().addShutdownHook(hook);
    }
    try {
      while (!rec.await(100) && !session.cancelled() && !ending.get()) {
        // the recorder stops by itself at the count or the time
      }
      rec.close();
      out.println(summary(file, rec));
      out.flush();
    } finally {
      finished.countDown();
    }
    if (!inShell && !ending.get()) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // a signal came just now: the JVM is ending, and the hook has nothing left to wait for
      }
    }
    return ExitCodes.OK;
  }

  static String summary(Path file, Recorder rec) {
    return rec.written() + " frames recorded to " + file + ", " + rec.drops() + " dropped";
  }

  /** The shell's recording, kept by the session until traffic stop or the session's end. */
  record BackgroundRecording(Path file, Recorder recorder) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      recorder.close();
    }
  }
}

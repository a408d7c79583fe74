package bpfilterctl.core.daemon;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.iptables.XtablesLock;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;

/**
 * One command the daemon runs for a client (a RUN), as its thread sees it: output goes out as
 * OUTPUT frames, stdin and files come in as ANSWERs to ASKs, and the client's CANCEL or hang-up
 * interrupts the thread. The I/O thread feeds {@link #fromClient} and {@link #hangUp}.
 */
final class ClientRun implements CallerIo {
  /** Output queued for a client beyond this makes the command wait: a slow reader slows it. */
  private static final long QUEUE_BYTES = 1 << 20;

  /** The most one stdin ASK asks for. */
  private static final int STDIN_CHUNK = 1 << 20;

  private static final DaemonFrame HUNG_UP = new DaemonFrame(FrameType.CANCEL, new byte[0]);

  private final Connection conn;
  private final RunRequest request;
  private final boolean locksHere;
  private final Consumer<DaemonFrame> send;
  private final BlockingQueue<DaemonFrame> answers = new LinkedBlockingQueue<>();
  private volatile Thread thread;
  private volatile boolean cancelled;
  private boolean outOfStep;

  /**
   * @param locksHere the daemon takes the xtables lock itself: the caller has the daemon's own
   *     privileges (root or the daemon's uid), so opening the lock file gives it nothing new
   */
  ClientRun(Connection conn, RunRequest request, boolean locksHere, Consumer<DaemonFrame> send) {
    this.conn = conn;
    this.request = request;
    this.locksHere = locksHere;
    this.send = send;
  }

  RunRequest request() {
    return request;
  }

  /** On the run's thread, before the command: from now on a cancel interrupts it. */
  void attach() {
    thread = Thread.currentThread();
    if (cancelled) {
      thread.interrupt();
    }
  }

  /** On the run's thread, after the command: a late cancel no longer interrupts anything. */
  void detach() {
    thread = null;
    Thread.interrupted();
  }

  /** An ANSWER or a CANCEL from the client (I/O thread). */
  void fromClient(DaemonFrame f) {
    if (f.type() == FrameType.CANCEL) {
      cancel();
    } else {
      answers.add(f);
    }
  }

  /** The client is gone: the command stops, and waits for an answer end. */
  void hangUp() {
    answers.add(HUNG_UP);
    cancel();
  }

  private void cancel() {
    cancelled = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
  }

  private synchronized CallerAsk.Answer ask(CallerAsk a) throws IOException {
    if (outOfStep) {
      throw new IOException("the caller no longer answers");
    }
    send.accept(new DaemonFrame(FrameType.ASK, a.encode()));
    DaemonFrame f;
    try {
      f = answers.take();
    } catch (InterruptedException e) {
      // Its answer may still come, and would be taken for the next one's.
      outOfStep = true;
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted");
    }
    if (f == HUNG_UP) {
      answers.add(HUNG_UP);
      throw new IOException("the caller hung up");
    }
    try {
      return CallerAsk.Answer.decode(f.body());
    } catch (IllegalArgumentException e) {
      outOfStep = true;
      throw new IOException("the caller answered nonsense: " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream stdin() {
    return new InputStream() {
      private boolean end;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
          return 0;
        }
        if (end) {
          return -1;
        }
        CallerAsk.Answer a = ask(new CallerAsk.Stdin(Math.min(len, STDIN_CHUNK)));
        if (a.status() != CallerAsk.Answer.OK) {
          throw new IOException("stdin: " + a.message());
        }
        byte[] d = a.data();
        if (d.length == 0) {
          end = true;
          return -1;
        }
        int n = Math.min(len, d.length); // a client sends at most what was asked
        System.arraycopy(d, 0, b, off, n);
        return n;
      }
    };
  }

  @Override
  public byte[] readFile(String name, long max, boolean regularOnly) throws IOException {
    CallerAsk.Answer a = ask(new CallerAsk.ReadFile(name, max, regularOnly));
    switch (a.status()) {
      case CallerAsk.Answer.OK:
        if (a.data().length > max) {
          throw new IOException(name + ": too big (more than " + max + " bytes)");
        }
        return a.data();
      case CallerAsk.Answer.NO_SUCH_FILE:
        throw new NoSuchFileException(a.message());
      case CallerAsk.Answer.ACCESS_DENIED:
        throw new AccessDeniedException(a.message());
      default:
        throw new IOException(a.message());
    }
  }

  @Override
  public XtablesLock xtablesLock() {
    String named = request.env().getOrDefault("XTABLES_LOCKFILE", "");
    Path file = named.isEmpty() ? XtablesLock.DEFAULT_FILE : Path.of(request.cwd()).resolve(named);
    if (locksHere) {
      return XtablesLock.at(file);
    }
    return XtablesLock.via(
        file,
        (f, wait) -> {
          CallerAsk.Answer a;
          try {
            a = ask(new CallerAsk.Lock(f.toString(), wait));
          } catch (IOException e) {
            throw new RuleException(
                    RuleException.Status.RESOURCE, "Fatal: can't lock " + f + ": " + e.getMessage())
                .bare();
          }
          if (a.status() != CallerAsk.Answer.OK) {
            throw new RuleException(RuleException.Status.RESOURCE, a.message()).bare();
          }
          return () -> {
            try {
              ask(new CallerAsk.Unlock());
            } catch (IOException e) {
              // the client is gone or going: its exit drops the lock
            }
          };
        });
  }

  /** Where the command's stdout (1) or stderr (2) goes: OUTPUT frames. */
  OutputStream output(int stream) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        if (len == 0 || conn.closed) {
          return; // nobody reads it any more
        }
        while (conn.queued.get() > QUEUE_BYTES && !conn.closed) {
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
          }
        }
        byte[] body = new byte[1 + len];
        body[0] = (byte) stream;
        System.arraycopy(b, off, body, 1, len);
        send.accept(new DaemonFrame(FrameType.OUTPUT, body));
      }
    };
  }
}

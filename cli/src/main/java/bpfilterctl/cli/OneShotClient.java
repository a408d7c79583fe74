package bpfilterctl.cli;

import bpfilterctl.core.daemon.CallerAsk;
import bpfilterctl.core.daemon.CallerIo;
import bpfilterctl.core.daemon.DaemonFrame;
import bpfilterctl.core.daemon.DaemonPaths;
import bpfilterctl.core.daemon.FrameType;
import bpfilterctl.core.daemon.RunRequest;
import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.iptables.XtablesLock;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The bpfilterctl executable's entry point: a one-shot command line runs in the daemon when one
 * answers and lets us (the code there is warm), this process only relaying its output, stdin,
 * files, xtables lock, Ctrl-C and exit status. It loads no command model (no picocli, jline or
 * lanterna). Everything else (the shell, a batch, watch, exec, the daemon itself, no daemon
 * answering, a daemon that refuses us) goes to {@link Main} in this process, as before.
 */
public final class OneShotClient {
  /** Commands that belong in the caller's process: terminals, processes, subscriptions, files. */
  private static final Set<String> LOCAL =
      Set.of("watch", "exec", "daemon", "hook", "completion", "__complete", "traffic", "raw");

  private final SocketChannel channel;
  private final InputStream in;
  private final OutputStream stdout;
  private final OutputStream stderr;
  private final InputStream stdin;
  private final CountDownLatch over = new CountDownLatch(1);
  private XtablesLock.Held lock;
  private volatile boolean done;

  OneShotClient(
      SocketChannel channel, InputStream stdin, OutputStream stdout, OutputStream stderr) {
    this.channel = channel;
    this.in = new BufferedInputStream(Channels.newInputStream(channel), 1 << 16);
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * The JDK's own provider on Linux, named so that SocketChannel.open does not look for another as
   * a service: that search opens every jar on the class path, which was most of what this process
   * cost over a bare JVM (20 of 34 ms of CPU, and 130 classes). Set only when nobody chose one.
   */
  private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";

  public static void main(String[] args) {
    if (System.getProperty(SELECTOR_PROVIDER) == null
        && "Linux".equals(System.getProperty("os.name"))) {
      System.setProperty(SELECTOR_PROVIDER, "sun.nio.ch.EPollSelectorProvider");
    }
    if (runsInDaemon(args)) {
      OptionalInt rc = inDaemon(DaemonPaths.ofThisProcess().socket(), args);
      if (rc.isPresent()) {
        System.exit(rc.getAsInt());
      }
    }
    Main.main(args);
  }

  /** The command line as a daemon client, or empty when it must run here (no daemon, refused). */
  private static OptionalInt inDaemon(Path socket, String[] args) {
    SocketChannel ch;
    try {
      ch = connect(socket);
    } catch (IOException e) {
      return OptionalInt.empty();
    }
    OneShotClient c =
        new OneShotClient(
            ch,
            System.in,
            new FileOutputStream(FileDescriptor.out),
            new FileOutputStream(FileDescriptor.err));
    Thread cancel = new Thread(c::cancel, "bpfilterctl-cancel");
    Runtime.getRuntime().addShutdownHook(cancel);
    RunRequest request =
        new RunRequest(
            List.of(args),
            System.getProperty("user.dir"),
            RunRequest.relevant(System.getenv()),
            System.console() != null);
    try {
      return c.run(request);
    } catch (IOException e) {
      if (!c.done) {
        System.err.println("bpfilterctl: the daemon on " + socket + ": " + e.getMessage());
      }
      return OptionalInt.of(ExitCodes.FAILURE);
    }
  }

  /** Whether {@code args} are a one-shot the daemon can run: none of {@link #LOCAL}, no batch. */
  static boolean runsInDaemon(String[] args) {
    boolean info = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--color")) {
        i++;
      } else if (a.equals("--batch") || a.startsWith("--batch=")) {
        return false;
      } else if (!a.startsWith("-")) {
        if (LOCAL.contains(a)) {
          return false;
        }
        // log --follow holds a subscription: it follows from here
        List<String> rest = List.of(args).subList(i + 1, args.length);
        return !(a.equals("log") && (rest.contains("-f") || rest.contains("--follow")));
      } else {
        info |= a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version");
      }
    }
    return info; // no command: the shell or a batch on stdin, unless it only asks for help
  }

  /**
   * Connects and says HELLO; fails when nobody answers, the daemon speaks another version, or it
   * grants us nothing (then the command runs here and says so as it always did).
   */
  static SocketChannel connect(Path socket) throws IOException {
    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer hello = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
      hello.put(DaemonFrame.MAGIC).putShort((short) DaemonFrame.VERSION);
      hello.putInt(ownPid());
      write(ch, new DaemonFrame(FrameType.HELLO, hello.array()));
      DaemonFrame w = DaemonFrame.read(Channels.newInputStream(ch));
      if (w == null || w.type() != FrameType.WELCOME || w.body().length < 3 || w.body()[2] == 0) {
        throw new IOException("the daemon does not run commands for us");
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /**
   * This process's pid for HELLO (informative only), from /proc: ProcessHandle would start the
   * JDK's process-reaper machinery, a cost a one-shot does not need.
   */
  private static int ownPid() {
    try {
      return Integer.parseInt(
          java.nio.file.Files.readSymbolicLink(Path.of("/proc/self")).toString());
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Sends the RUN and serves the daemon until its EXIT: the exit status, or empty when the daemon
   * refused the RUN before doing anything (it runs here then).
   */
  OptionalInt run(RunRequest request) throws IOException {
    try (channel) {
      write(channel, new DaemonFrame(FrameType.RUN, request.encode()));
      boolean started = false;
      while (true) {
        DaemonFrame f = DaemonFrame.read(in);
        if (f == null) {
          throw new IOException("hung up before the command ended");
        }
        switch (f.type()) {
          case OUTPUT -> {
            started = true;
            byte[] b = f.body();
            OutputStream o = b.length > 0 && b[0] == 2 ? stderr : stdout;
            o.write(b, 1, Math.max(0, b.length - 1));
            o.flush();
          }
          case ASK -> {
            started = true;
            write(channel, new DaemonFrame(FrameType.ANSWER, answer(f.body()).encode()));
          }
          case EXIT -> {
            done = true;
            over.countDown();
            releaseLock();
            return OptionalInt.of(
                ByteBuffer.wrap(f.body()).order(ByteOrder.LITTLE_ENDIAN).getInt());
          }
          case FAIL -> {
            if (!started) {
              return OptionalInt.empty();
            }
            throw new IOException(new String(f.body(), StandardCharsets.UTF_8));
          }
          default -> throw new IOException("unexpected " + f.type() + " frame");
        }
      }
    } finally {
      over.countDown();
      releaseLock();
    }
  }

  private CallerAsk.Answer answer(byte[] body) {
    CallerAsk ask;
    try {
      ask = CallerAsk.decode(body);
    } catch (IllegalArgumentException e) {
      return CallerAsk.Answer.failed(CallerAsk.Answer.FAILED, e.getMessage());
    }
    try {
      if (ask instanceof CallerAsk.Stdin s) {
        byte[] b = new byte[Math.max(1, s.max())];
        int n = stdin.read(b, 0, b.length);
        return CallerAsk.Answer.ok(n <= 0 ? new byte[0] : java.util.Arrays.copyOf(b, n));
      }
      if (ask instanceof CallerAsk.ReadFile r) {
        return CallerAsk.Answer.ok(CallerIo.readLocal(r.name(), r.max(), r.regularOnly()));
      }
      if (ask instanceof CallerAsk.Lock l) {
        releaseLock();
        lock = XtablesLock.at(Path.of(l.file())).acquire(l.waitSeconds());
        return CallerAsk.Answer.ok(new byte[0]);
      }
      releaseLock();
      return CallerAsk.Answer.ok(new byte[0]);
    } catch (NoSuchFileException e) {
      return CallerAsk.Answer.failed(CallerAsk.Answer.NO_SUCH_FILE, e.getMessage());
    } catch (AccessDeniedException e) {
      return CallerAsk.Answer.failed(CallerAsk.Answer.ACCESS_DENIED, e.getMessage());
    } catch (IOException | RuleException e) {
      return CallerAsk.Answer.failed(CallerAsk.Answer.FAILED, e.getMessage());
    }
  }

  private void releaseLock() {
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }

  /**
   * Ctrl-C (or any signal that ends the JVM) while the command runs: asks the daemon to interrupt
   * it and waits a moment for what it still says (its "interrupted") to come through.
   */
  void cancel() {
    if (done) {
      return;
    }
    try {
      write(channel, new DaemonFrame(FrameType.CANCEL, new byte[0]));
      over.await(3, TimeUnit.SECONDS);
    } catch (IOException e) {
      // the daemon is gone already: nothing to cancel
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void write(SocketChannel ch, DaemonFrame f) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(f.encode());
    synchronized (ch) {
      while (b.hasRemaining()) {
        ch.write(b);
      }
    }
  }
}

package bpfilterctl.core.daemon;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.TapSubscription;
import bpfilterctl.core.persist.OwnedDir;
import bpfilterctl.core.uapi.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.Pointer;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The module host on a unix socket, so that every shell and script shares one loaded module.
 *
 * <p>One I/O thread polls every connection (non-blocking; an idle connection costs an fd and a few
 * hundred bytes, no thread), assembles frames as their bytes arrive and checks access from a
 * frame's head before it takes the body. Complete frames go to a small pool of workers (a
 * GET_REVISION the umh answered before is answered at once, {@link ModuleHost#knownRevision}, and
 * so is a table read whose answer cannot have changed, {@link ModuleHost#rememberedRead}, and an
 * add of zero counters to a table as committed, {@link ModuleHost#idleCountersAdd}); a worker sends
 * its answer itself when the socket takes it, else the I/O thread sends it. A connection reads
 * nothing more until its request is answered, and the host runs one request at a time. Accepting
 * backs off on EMFILE and the like and carries on; connections are capped in all and per uid; a
 * connection slow to say HELLO, idle in the middle of a frame, or not taking its answer is dropped
 * (limits in {@link DaemonLimits}). Streams (subscribe) keep a thread each.
 */
public final class DaemonServer implements AutoCloseable {
  private static final int IO_BYTES = 64 << 10;

  /** The largest answer a worker sends itself (a 1k-rule table's entries are ~200 KiB). */
  private static final int DIRECT_SEND_MAX = 256 << 10;

  /** A GET_REVISION's payload is a 30-byte xt_get_revision: anything much bigger is not one. */
  private static final int KNOWN_ANSWER_MAX_PAYLOAD = 64;

  private static final int FD_RESERVE = 64;
  private static final long SUBSCRIBER_QUEUE_BYTES = 1 << 20;
  private static final long ACCEPT_BACKOFF_MIN = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long ACCEPT_BACKOFF_MAX = TimeUnit.SECONDS.toNanos(1);
  private static final long REFUSAL_LOG_INTERVAL = TimeUnit.SECONDS.toNanos(10);
  private static final int MAX_LOG_LINES = 100_000;

  private final ModuleHost host;
  private final Path socket;
  private final AccessPolicy policy;
  private final DaemonLimits limits;
  private final POSIX posix = POSIXFactory.getNativePOSIX();
  private final int selfPid = (int) ProcessHandle.current().pid();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final AtomicInteger runs = new AtomicInteger();
  private final Optional<OneShotRunner> runner;

  // The I/O thread's own.
  private final List<Connection> connections = new ArrayList<>();
  private final Map<Integer, Integer> perUid = new HashMap<>();

  /** Added to by the I/O thread only; a worker releases an answered request's share. */
  private final AtomicLong buffered = new AtomicLong();

  private long acceptPausedUntil;
  private long acceptBackoff = ACCEPT_BACKOFF_MIN;
  private long lastRefusalLog;
  private boolean refusalLogged;
  private int refusedSinceLog;
  private int maxConnections;

  private NativeSockets ns;
  private Pointer wakeBuf;
  private Pointer ioBuf;
  private int listenFd = -1;
  private int eventFd = -1;
  private Thread ioThread;
  private ExecutorService workers;
  private FileChannel lockFile;
  private FileLock lock;
  private boolean bound;
  private volatile boolean closing;

  public DaemonServer(ModuleHost host, Path socket, AccessPolicy policy) {
    this(host, socket, policy, DaemonLimits.defaults());
  }

  public DaemonServer(ModuleHost host, Path socket, AccessPolicy policy, DaemonLimits limits) {
    this(host, socket, policy, limits, Optional.empty());
  }

  /**
   * @param runner what runs a client's command line here (RUN), when the front-end gives one
   */
  public DaemonServer(
      ModuleHost host,
      Path socket,
      AccessPolicy policy,
      DaemonLimits limits,
      Optional<OneShotRunner> runner) {
    this.host = host;
    this.socket = socket;
    this.policy = policy;
    this.limits = limits;
    this.runner = runner;
  }

  /**
   * Checks the socket's directory, takes the lock, clears a stale socket, binds and starts
   * accepting. The socket is 0660, its group the read (else admin) group when one is given; with
   * two different groups it is 0666 and the daemon's own checks decide.
   *
   * @throws IOException when another daemon holds the lock, the directory is not safe, or binding
   *     fails
   */
  public void start() throws IOException {
    int euid = posix.geteuid();
    Path dir = OwnedDir.prepare(socket.toAbsolutePath().getParent(), "rwxr-xr-x", euid);
    Path lockPath = dir.resolve(socket.getFileName() + ".lock");
    lockFile =
        FileChannel.open(
            lockPath,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    try {
      lock = lockFile.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another server in this very JVM
    }
    if (lock == null) {
      lockFile.close();
      throw new IOException("another daemon is running on " + socket + " (lock " + lockPath + ")");
    }
    Path sock = dir.resolve(socket.getFileName());
    // We hold the lock, so a socket file left here belongs to a daemon that died: remove it.
    Files.deleteIfExists(sock);
    ns = new NativeSockets();
    wakeBuf = ns.allocate(8);
    ioBuf = ns.allocate(IO_BYTES);
    eventFd = ns.eventfd();
    listenFd = ns.listen(sock, 128);
    bound = true;
    setSocketMode(sock);
    maxConnections = Math.max(8, Math.min(limits.maxConnections(), openFileLimit() - FD_RESERVE));
    workers =
        new ThreadPoolExecutor(
            limits.workers(),
            limits.workers(),
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> daemonThread(r, "daemon-worker"));
    ioThread = daemonThread(this::ioLoop, "daemon-io");
    ioThread.start();
    warmUp(sock);
    host.log()
        .add(
            selfPid,
            LogLine.Source.HOST,
            "daemon: listening on " + sock + " (at most " + maxConnections + " connections)");
  }

  /**
   * Runs one conversation with ourselves through every path a client can take (HELLO, a bad
   * CONTROL, a good one, an unknown frame), so that their classes are loaded now: under EMFILE a
   * class cannot be loaded later, and the JVM remembers such a failure for good.
   */
  private void warmUp(Path sock) throws IOException {
    NativeSockets.strerror(Errno.EMFILE.code());
    try (DaemonClient c = DaemonClient.connect(sock, Duration.ofSeconds(30))) {
      c.status();
      c.exchange(DaemonFrame.text(FrameType.CONTROL, "log -1"));
      c.exchange(new DaemonFrame(FrameType.REPLY, new byte[0]));
    } catch (ModuleException e) {
      throw new IOException("the daemon does not answer itself: " + e.getMessage(), e);
    }
  }

  private void setSocketMode(Path sock) throws IOException {
    String mode = "rw-rw----";
    int gid = -1;
    if (policy.readGid().isPresent() && policy.adminGid().isPresent()) {
      if (policy.readGid().getAsInt() == policy.adminGid().getAsInt()) {
        gid = policy.readGid().getAsInt();
      } else {
        mode = "rw-rw-rw-";
      }
    } else if (policy.readGid().isPresent()) {
      gid = policy.readGid().getAsInt();
    } else if (policy.adminGid().isPresent()) {
      gid = policy.adminGid().getAsInt();
    }
    if (gid >= 0 && posix.lchown(sock.toString(), -1, gid) < 0) {
      throw new IOException("cannot give " + sock + " to group " + gid + ": " + posix.errno());
    }
    Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString(mode));
  }

  /** The soft RLIMIT_NOFILE of this process, from /proc/self/limits; 1024 when unreadable. */
  static int openFileLimit() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (l.startsWith("Max open files")) {
          String soft = l.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? Integer.MAX_VALUE : Integer.parseInt(soft);
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return 1024;
  }

  private static Thread daemonThread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  public Path socket() {
    return socket;
  }

  /** How many connections this daemon takes at most, after fitting them to the fd limit. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Bytes held now for frames not yet answered, all connections together (for tests). */
  long bufferedBytes() {
    return buffered.get();
  }

  /** Blocks until a client's stop or {@link #close()}. */
  public void awaitStop() throws InterruptedException {
    stopped.await();
  }

  // ---- the I/O thread ----

  private void post(Runnable task) {
    if (closing) {
      return;
    }
    tasks.add(task);
    if (eventFd >= 0) {
      ns.signal(eventFd, wakeBuf);
    }
  }

  private void ioLoop() {
    Pointer io = ioBuf;
    byte[] chunk = new byte[IO_BYTES];
    Pointer fds = ns.allocate(8 * 64);
    List<Connection> polled = new ArrayList<>();
    try {
      while (!closing) {
        try {
          fds = pollOnce(fds, io, chunk, polled);
        } catch (RuntimeException | LinkageError e) {
          // One bad turn (a class that could not load under EMFILE...) must not end the loop.
          noteLoopError(e);
        }
      }
    } catch (Error e) {
      host.log().add(selfPid, LogLine.Source.HOST, "daemon: I/O thread failed: " + e);
      stopped.countDown();
    } finally {
      for (Connection c : connections) {
        drop(c);
      }
      connections.clear();
    }
  }

  private void noteLoopError(Throwable e) {
    try {
      host.log().add(selfPid, LogLine.Source.HOST, "daemon: I/O error, going on: " + e);
      Thread.sleep(10);
    } catch (RuntimeException | LinkageError | InterruptedException again) {
      // nothing more to do: the next turn tries again
    }
  }

  private Pointer pollOnce(Pointer fdsIn, Pointer io, byte[] chunk, List<Connection> polled) {
    Pointer fds = fdsIn;
    for (Runnable t = tasks.poll(); t != null; t = tasks.poll()) {
      t.run();
    }
    long now = System.nanoTime();
    enforceTimers(now);
    connections.removeIf(c -> c.closed);
    boolean accepting = now >= acceptPausedUntil;
    int n = 2 + connections.size();
    if (8L * n > fds.size()) {
      fds = ns.allocate(8 * Math.max(n, 2 * (int) (fds.size() / 8)));
    }
    putPollFd(fds, 0, eventFd, NativeSockets.POLLIN);
    putPollFd(fds, 1, accepting ? listenFd : -1, NativeSockets.POLLIN);
    polled.clear();
    for (Connection c : connections) {
      short ev = 0;
      if (c.wantsRead()) {
        ev |= NativeSockets.POLLIN;
      }
      if (!c.out.isEmpty()) {
        ev |= NativeSockets.POLLOUT;
      }
      putPollFd(fds, 2 + polled.size(), c.fd, ev);
      polled.add(c);
    }
    int r = ns.poll(fds, n, pollTimeout(now, accepting));
    if (r < 0) {
      return fds; // EINTR; anything else shows again as a timer or an event
    }
    now = System.nanoTime();
    if (revents(fds, 0) != 0) {
      ns.drain(eventFd, wakeBuf);
    }
    if (accepting && revents(fds, 1) != 0) {
      acceptAll(now);
    }
    for (int i = 0; i < polled.size(); i++) {
      Connection c = polled.get(i);
      short rev = revents(fds, 2 + i);
      if (rev == 0 || c.closed) {
        continue;
      }
      if ((rev & NativeSockets.POLLOUT) != 0) {
        flush(c, now);
      }
      if ((rev & NativeSockets.POLLIN) != 0 && c.wantsRead()) {
        readFrom(c, io, chunk, now);
      } else if ((rev & (NativeSockets.POLLHUP | NativeSockets.POLLERR | NativeSockets.POLLNVAL))
          != 0) {
        drop(c);
      }
    }
    return fds;
  }

  private static void putPollFd(Pointer fds, int i, int fd, short events) {
    fds.putInt(8L * i, fd);
    fds.putShort(8L * i + 4, events);
    fds.putShort(8L * i + 6, (short) 0);
  }

  private static short revents(Pointer fds, int i) {
    return fds.getShort(8L * i + 6);
  }

  /** Milliseconds until the next timer, or -1 (sleep until an event) when none is due. */
  private int pollTimeout(long now, boolean accepting) {
    long next = Long.MAX_VALUE;
    if (!accepting) {
      next = acceptPausedUntil;
    }
    for (Connection c : connections) {
      next = Math.min(next, deadlineOf(c));
    }
    if (next == Long.MAX_VALUE) {
      return -1;
    }
    return (int) Math.max(0, Math.min(60_000, TimeUnit.NANOSECONDS.toMillis(next - now) + 1));
  }

  private long deadlineOf(Connection c) {
    long d = Long.MAX_VALUE;
    if (!c.welcomed) {
      d = c.acceptedNanos + limits.helloTimeout().toNanos();
    }
    if (c.in.midFrame() && !c.busy && !c.subscribed) {
      d = Math.min(d, c.lastInNanos + limits.frameIdleTimeout().toNanos());
    }
    if (!c.out.isEmpty()) {
      d = Math.min(d, c.lastOutNanos + limits.sendStallTimeout().toNanos());
    }
    return d;
  }

  private void enforceTimers(long now) {
    for (Connection c : connections) {
      if (c.closed || deadlineOf(c) > now) {
        continue;
      }
      if (!c.welcomed && now - c.acceptedNanos >= limits.helloTimeout().toNanos()) {
        refuse(c, "no HELLO within " + limits.helloTimeout().toMillis() + " ms", now);
      } else if (!c.out.isEmpty() && now - c.lastOutNanos >= limits.sendStallTimeout().toNanos()) {
        drop(c);
      } else {
        refuse(
            c,
            "nothing received for "
                + limits.frameIdleTimeout().toMillis()
                + " ms in the middle of a frame",
            now);
      }
    }
  }

  /** Sends {@code why} as a FAIL (as far as it goes out at once) and drops the connection. */
  private void refuse(Connection c, String why, long now) {
    c.enqueue(fail(ModuleException.Kind.DAEMON, why), now);
    c.closeAfterFlush = true;
    flush(c, now);
    if (!c.closed) {
      drop(c);
    }
  }

  private void acceptAll(long now) {
    while (true) {
      int fd = ns.accept(listenFd);
      if (fd < 0) {
        int e = ns.errno();
        if (e == Errno.EAGAIN.code()) {
          return;
        }
        if (e == Errno.EINTR.code()) {
          continue;
        }
        // EMFILE, ENFILE, ENOBUFS, ENOMEM, or worse: stop accepting a while, then go on.
        acceptPausedUntil = now + acceptBackoff;
        logRefusal(
            now,
            "accept failed: "
                + NativeSockets.strerror(e)
                + "; accepting again in "
                + TimeUnit.NANOSECONDS.toMillis(acceptBackoff)
                + " ms");
        acceptBackoff = Math.min(ACCEPT_BACKOFF_MAX, 2 * acceptBackoff);
        return;
      }
      acceptBackoff = ACCEPT_BACKOFF_MIN;
      Peer peer;
      try {
        peer = Peer.of(ns.peerCredentials(fd), ns.peerGroups(fd));
      } catch (IOException e) {
        ns.close(fd);
        continue;
      }
      String refusal = null;
      boolean exempt = peer.uid() == 0 || peer.uid() == policy.daemonUid();
      int ofUid = perUid.getOrDefault(peer.uid(), 0);
      if (connections.size() >= maxConnections) {
        refusal = "too many connections (" + maxConnections + ")";
      } else if (!exempt && ofUid >= limits.maxPerUid()) {
        refusal = "too many connections from uid " + peer.uid() + " (" + limits.maxPerUid() + ")";
      }
      if (refusal != null) {
        byte[] b = fail(ModuleException.Kind.DAEMON, refusal).encode();
        ioBuf.put(0, b, 0, b.length);
        ns.send(fd, ioBuf, b.length);
        ns.close(fd);
        logRefusal(now, "refused uid " + peer.uid() + " pid " + peer.pid() + ": " + refusal);
        continue;
      }
      perUid.merge(peer.uid(), 1, Integer::sum);
      Connection[] self = new Connection[1];
      self[0] = new Connection(fd, peer, now, new Gate(() -> self[0]));
      connections.add(self[0]);
    }
  }

  /** At most one log line per interval for refused connections, so a flood cannot fill the log. */
  private void logRefusal(long now, String what) {
    refusedSinceLog++;
    if (!refusalLogged || now - lastRefusalLog >= REFUSAL_LOG_INTERVAL) {
      refusalLogged = true;
      String more = refusedSinceLog > 1 ? " (" + (refusedSinceLog - 1) + " more since)" : "";
      host.log().add(selfPid, LogLine.Source.HOST, "daemon: " + what + more);
      lastRefusalLog = now;
      refusedSinceLog = 0;
    }
  }

  private void readFrom(Connection c, Pointer io, byte[] chunk, long now) {
    long r = ns.recv(c.fd, io, IO_BYTES);
    if (r == 0) {
      drop(c);
      return;
    }
    if (r < 0) {
      int e = ns.errno();
      if (e != Errno.EAGAIN.code() && e != Errno.EINTR.code()) {
        drop(c);
      }
      return;
    }
    c.lastInNanos = now;
    if (c.subscribed) {
      return; // a stream takes no requests: what its client sends is ignored
    }
    io.get(0, chunk, 0, (int) r);
    ByteBuffer in = ByteBuffer.wrap(Arrays.copyOf(chunk, (int) r));
    process(c, in, now);
  }

  /** Feeds bytes to the connection's assembler until a frame goes to a worker or they run out. */
  private void process(Connection c, ByteBuffer in, long now) {
    while (!c.closed && !c.busy && !c.closeAfterFlush && in.hasRemaining()) {
      FrameAssembler.Event e = c.in.feed(in);
      if (e instanceof FrameAssembler.Refused ref) {
        c.enqueue(ref.fail(), now);
        c.closeAfterFlush = ref.close();
        flush(c, now);
      } else if (e instanceof FrameAssembler.Complete done) {
        dispatch(c, done.frame(), now);
      }
    }
    c.pending = in.hasRemaining() ? in : null;
  }

  private void dispatch(Connection c, DaemonFrame f, long now) {
    if (!c.welcomed) {
      DaemonFrame answer = checkHello(f, c.peer);
      c.in.releaseAnswered();
      c.enqueue(answer, now);
      if (answer.type() == FrameType.WELCOME) {
        c.welcomed = true;
      } else {
        c.closeAfterFlush = true;
      }
      flush(c, now);
      return;
    }
    if (c.run != null) {
      c.in.releaseAnswered();
      c.run.fromClient(f);
      return;
    }
    if (f.type() == FrameType.RUN) {
      c.in.releaseAnswered();
      startRun(c, f, now);
      return;
    }
    if (f.type() == FrameType.CONTROL && f.bodyText().startsWith("subscribe ")) {
      c.in.releaseAnswered();
      subscribe(c, f.bodyText().substring(10).trim(), now);
      return;
    }
    MboxReply known = knownAnswer(f, c.peer);
    if (known != null) {
      c.in.releaseAnswered();
      c.enqueueReply(known, now);
      flush(c, now);
      return;
    }
    c.busy = true;
    Peer peer = c.peer;
    // Nothing queued ahead of the answer: the worker may send it itself (see sendNow).
    boolean direct = c.out.isEmpty();
    workers.execute(
        () -> {
          DaemonFrame answer = answerSafely(f, peer);
          boolean stop =
              f.type() == FrameType.CONTROL
                  && f.bodyText().trim().equals("stop")
                  && answer.type() == FrameType.TEXT;
          if (stop || !direct) {
            post(() -> finish(c, answer, stop));
            return;
          }
          long sent = sendNow(c, answer);
          post(() -> finishSent(c, answer, sent));
        });
  }

  /**
   * On the worker: sends what the socket takes of the answer at once, without waiting for the I/O
   * thread to wake and send it (a hop saved on every call: the client reads its answer while the
   * I/O thread still has to notice it). Only while the connection is busy, when nothing else writes
   * to it; the fd cannot be closed under us ({@link Connection#fdLock}). Returns the bytes sent;
   * the I/O thread sends the rest.
   */
  private long sendNow(Connection c, DaemonFrame answer) {
    if (answer.body().length > DIRECT_SEND_MAX) {
      return 0; // a big table's entries: sent from its own array by the I/O thread, not copied
    }
    byte[] b = answer.encode();
    synchronized (c.fdLock) {
      if (c.closed) {
        return 0;
      }
      // Answered: its request's bytes are no longer held (as finish() releases them before its
      // send); the I/O thread does not touch the assembler while the connection is busy.
      c.in.releaseAnswered();
      while (true) {
        long w = ns.send(c.fd, b, b.length);
        if (w >= 0) {
          return w;
        }
        if (ns.errno() != Errno.EINTR.code()) {
          return 0; // EAGAIN, or a broken peer the I/O thread notices as well
        }
      }
    }
  }

  /** Back on the I/O thread after {@link #sendNow} sent {@code sent} bytes of the answer. */
  private void finishSent(Connection c, DaemonFrame answer, long sent) {
    c.in.releaseAnswered();
    c.busy = false;
    if (c.closed) {
      return;
    }
    long now = System.nanoTime();
    if (sent < 5L + answer.body().length) {
      c.enqueue(answer, now);
      consumed(c, sent);
    }
    c.lastOutNanos = now;
    flush(c, now); // the rest, if any; then the bytes read behind the request
  }

  /** A worker's answer is back, on the I/O thread. */
  private void finish(Connection c, DaemonFrame answer, boolean stop) {
    c.in.releaseAnswered();
    c.busy = false;
    if (c.closed) {
      if (stop) {
        stopped.countDown();
      }
      return;
    }
    long now = System.nanoTime();
    c.enqueue(answer, now);
    if (stop) {
      c.afterFlush = stopped::countDown;
      c.closeAfterFlush = true;
    }
    flush(c, now);
  }

  /** Sends what it can without blocking; once all is out, runs what waits for that. */
  private void flush(Connection c, long now) {
    Pointer io = ioBuf;
    while (!c.closed && !c.out.isEmpty()) {
      // As much as the buffer holds, across arrays: a header goes out with its body.
      int n = 0;
      int from = c.outOffset;
      for (byte[] part : c.out) {
        int k = Math.min(IO_BYTES - n, part.length - from);
        io.put(n, part, from, k);
        n += k;
        from = 0;
        if (n == IO_BYTES) {
          break;
        }
      }
      long w = ns.send(c.fd, io, n);
      if (w < 0) {
        int e = ns.errno();
        if (e == Errno.EINTR.code()) {
          continue;
        }
        if (e != Errno.EAGAIN.code()) {
          drop(c);
        }
        return;
      }
      c.lastOutNanos = now;
      consumed(c, w);
    }
    if (c.closed || !c.out.isEmpty()) {
      return;
    }
    if (c.afterFlush != null) {
      Runnable r = c.afterFlush;
      c.afterFlush = null;
      r.run();
    }
    if (c.closeAfterFlush) {
      drop(c);
    } else if (c.pending != null && !c.busy) {
      ByteBuffer rest = c.pending;
      c.pending = null;
      process(c, rest, now);
    }
  }

  /** Takes {@code w} sent bytes off the front of the connection's queue. */
  private static void consumed(Connection c, long w) {
    c.queued.addAndGet(-w);
    for (long left = w; left > 0; ) {
      byte[] part = c.out.peek();
      int k = (int) Math.min(left, part.length - c.outOffset);
      c.outOffset += k;
      left -= k;
      if (c.outOffset == part.length) {
        c.out.poll();
        c.outOffset = 0;
      }
    }
  }

  private void drop(Connection c) {
    if (c.closed) {
      return;
    }
    c.closed = true;
    if (c.run != null) {
      c.run.hangUp();
    }
    c.out.clear();
    synchronized (c.fdLock) {
      c.in.discard(); // after a worker's release of the same bytes, never beside it
      ns.close(c.fd); // never while a worker sends on it: the number could be reused at once
    }
    perUid.computeIfPresent(c.peer.uid(), (k, v) -> v > 1 ? v - 1 : null);
  }

  /** Decides on each frame from its head: what a peer may send, before it is read. */
  private final class Gate implements FrameAssembler.Gate {
    private final java.util.function.Supplier<Connection> conn;

    Gate(java.util.function.Supplier<Connection> conn) {
      this.conn = conn;
    }

    @Override
    public FrameAssembler.Decision decide(int typeCode, int bodyLength, byte[] head) {
      Connection c = conn.get();
      if (!c.welcomed) {
        if (typeCode != FrameType.HELLO.code() || bodyLength > DaemonLimits.HELLO_BYTES) {
          return close("expected a bpfilterctl HELLO");
        }
        return FrameAssembler.Decision.TAKE;
      }
      if (c.run != null) {
        return typeCode == FrameType.ANSWER.code() || typeCode == FrameType.CANCEL.code()
            ? FrameAssembler.Decision.TAKE
            : skip(
                ModuleException.Kind.DAEMON,
                "unexpected frame type " + typeCode + " during a RUN (ANSWER or CANCEL)");
      }
      if (typeCode == FrameType.RUN.code()) {
        if (runner.isEmpty()) {
          return skip(ModuleException.Kind.DAEMON, "this daemon runs no commands");
        }
        if (!policy.mayRead(c.peer)) {
          return new FrameAssembler.Decision(
              FrameAssembler.Action.SKIP, denied(c.peer, "run commands"));
        }
        return bodyLength <= DaemonLimits.RUN_BYTES
            ? FrameAssembler.Decision.TAKE
            : skip(
                ModuleException.Kind.DAEMON,
                "RUN of " + bodyLength + " bytes (at most " + DaemonLimits.RUN_BYTES + ")");
      }
      if (typeCode == FrameType.CONTROL.code()) {
        return bodyLength <= DaemonLimits.CONTROL_BYTES
            ? FrameAssembler.Decision.TAKE
            : skip(
                ModuleException.Kind.DAEMON,
                "CONTROL command of "
                    + bodyLength
                    + " bytes (at most "
                    + DaemonLimits.CONTROL_BYTES
                    + ")");
      }
      if (typeCode == FrameType.CALL_HEAD.code()) {
        return decideHead(c.peer, bodyLength, head);
      }
      if (typeCode != FrameType.CALL.code()) {
        return skip(
            ModuleException.Kind.DAEMON,
            "unexpected frame type " + typeCode + " (a client sends CALL, CONTROL or RUN)");
      }
      if (head.length < MboxRequest.HEADER_BYTES) {
        return FrameAssembler.Decision.TAKE; // answered as too short
      }
      return judgeCall(c.peer, MboxRequest.Header.decode(head), bodyLength);
    }

    /**
     * A CALL of {@code length} bytes (header and payload): refused unless the peer may read (a get)
     * or write (a set), and from a reader, refused when longer than a reader may send.
     */
    private FrameAssembler.Decision judgeCall(Peer p, MboxRequest.Header h, long length) {
      boolean set = h.isSet() != 0;
      if (set ? !policy.mayWrite(p) : !policy.mayRead(p)) {
        return new FrameAssembler.Decision(
            FrameAssembler.Action.SKIP, denied(p, (set ? "set" : "get") + " option " + h.cmd()));
      }
      if (!policy.mayWrite(p) && length > limits.readerFrameBytes()) {
        return skip(
            ModuleException.Kind.DAEMON,
            "a "
                + length
                + "-byte CALL is more than a reader may send ("
                + limits.readerFrameBytes()
                + ")");
      }
      return FrameAssembler.Decision.TAKE;
    }

    /**
     * A CALL_HEAD is judged as the CALL it stands for, by the length its header announces, which
     * must cover what is sent.
     */
    private FrameAssembler.Decision decideHead(Peer p, int bodyLength, byte[] head) {
      if (head.length < MboxRequest.HEADER_BYTES) {
        return skip(ModuleException.Kind.DAEMON, "CALL_HEAD shorter than an mbox header");
      }
      MboxRequest.Header h = MboxRequest.Header.decode(head);
      long full = MboxRequest.HEADER_BYTES + h.len();
      if (full < bodyLength || full > DaemonFrame.MAX_BODY) {
        return skip(
            ModuleException.Kind.DAEMON, "CALL_HEAD length " + h.len() + " does not fit its frame");
      }
      return judgeCall(p, h, full);
    }

    @Override
    public boolean reserve(long bytes) {
      if (buffered.get() + bytes > limits.bufferedBytes()) {
        return false;
      }
      buffered.addAndGet(bytes);
      return true;
    }

    @Override
    public void release(long bytes) {
      buffered.addAndGet(-bytes);
    }

    private FrameAssembler.Decision close(String why) {
      return new FrameAssembler.Decision(
          FrameAssembler.Action.CLOSE, fail(ModuleException.Kind.DAEMON, why));
    }

    private FrameAssembler.Decision skip(ModuleException.Kind kind, String why) {
      return new FrameAssembler.Decision(FrameAssembler.Action.SKIP, fail(kind, why));
    }
  }

  // ---- runs: a client's command line, run here; a thread each ----

  /**
   * Runs the command line of a RUN on its own thread, for the peer and with its rights; the
   * connection then carries the run's OUTPUT, ASK and ANSWER frames, a CANCEL, and ends with EXIT.
   */
  private void startRun(Connection c, DaemonFrame f, long now) {
    RunRequest request;
    try {
      request = RunRequest.decode(f.body());
    } catch (IllegalArgumentException e) {
      c.enqueue(fail(ModuleException.Kind.DAEMON, e.getMessage()), now);
      flush(c, now);
      return;
    }
    if (runs.incrementAndGet() > DaemonLimits.MAX_RUNS) {
      runs.decrementAndGet();
      c.enqueue(
          fail(
              ModuleException.Kind.DAEMON,
              "too many commands running (" + DaemonLimits.MAX_RUNS + ")"),
          now);
      flush(c, now);
      return;
    }
    Peer peer = c.peer;
    boolean locksHere = peer.uid() == 0 || peer.uid() == policy.daemonUid();
    ClientRun run = new ClientRun(c, request, locksHere, frame -> send(c, frame));
    c.run = run;
    PeerModule module = new PeerModule(host, policy, peer, socket, this::deniedException);
    daemonThread(
            () -> {
              int status;
              try {
                run.attach();
                status =
                    runner.orElseThrow().run(request, module, run, run.output(1), run.output(2));
              } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                host.log().add(selfPid, LogLine.Source.HOST, "daemon: a RUN failed: " + e);
                status = 1;
              } finally {
                run.detach();
                runs.decrementAndGet();
              }
              byte[] b =
                  ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(status).array();
              DaemonFrame exit = new DaemonFrame(FrameType.EXIT, b);
              c.queued.addAndGet(5 + b.length);
              post(
                  () -> {
                    c.queued.addAndGet(-(5 + b.length));
                    if (!c.closed) {
                      long t = System.nanoTime();
                      c.enqueue(exit, t);
                      c.closeAfterFlush = true;
                      flush(c, t);
                    }
                  });
            },
            "daemon-run")
        .start();
  }

  // ---- subscriptions: a thread each ----

  /**
   * Turns the connection into a stream: one TEXT frame per traffic frame or log line, a JSON object
   * each, until the client hangs up. A slow client loses frames (counted by the tap), never slows
   * the module or the daemon.
   */
  private void subscribe(Connection c, String what, long now) {
    DaemonFrame refusal = null;
    if (!policy.mayRead(c.peer)) {
      refusal = denied(c.peer, "subscribe to " + what);
    } else if (!what.equals("traffic") && !what.equals("log")) {
      refusal = fail(ModuleException.Kind.DAEMON, "nothing to subscribe to called " + what);
    } else if (subscriptions.incrementAndGet() > limits.maxSubscriptions()) {
      subscriptions.decrementAndGet();
      refusal =
          fail(
              ModuleException.Kind.DAEMON,
              "too many subscriptions (" + limits.maxSubscriptions() + ")");
    }
    if (refusal != null) {
      c.enqueue(refusal, now);
      flush(c, now);
      return;
    }
    c.subscribed = true;
    c.enqueue(DaemonFrame.text(FrameType.TEXT, "subscribed " + what), now);
    flush(c, now);
    Thread t =
        daemonThread(
            () -> {
              try {
                if (what.equals("traffic")) {
                  streamTraffic(c);
                } else {
                  streamLog(c);
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                subscriptions.decrementAndGet();
              }
            },
            "daemon-subscriber");
    t.start();
  }

  private void streamTraffic(Connection c) throws InterruptedException {
    try (TapSubscription sub = host.tap().subscribe(4096)) {
      while (!c.closed && !closing) {
        if (c.queued.get() > SUBSCRIBER_QUEUE_BYTES) {
          Thread.sleep(50); // the tap's queue fills meanwhile and counts what it drops
          continue;
        }
        Frame fr = sub.poll(200);
        if (fr != null) {
          send(c, DaemonFrame.text(FrameType.TEXT, fr.toJson()));
        }
      }
    }
  }

  private void streamLog(Connection c) throws InterruptedException {
    ArrayBlockingQueue<LogLine> lines = new ArrayBlockingQueue<>(4096);
    Runnable stop = host.log().listen(lines::offer);
    try {
      while (!c.closed && !closing) {
        if (c.queued.get() > SUBSCRIBER_QUEUE_BYTES) {
          Thread.sleep(50);
          continue;
        }
        LogLine l = lines.poll(200, TimeUnit.MILLISECONDS);
        if (l != null) {
          send(c, DaemonFrame.text(FrameType.TEXT, l.toJson()));
        }
      }
    } finally {
      stop.run();
    }
  }

  /** From any thread: queue a frame on the connection and let the I/O thread send it. */
  private void send(Connection c, DaemonFrame f) {
    c.queued.addAndGet(5 + f.body().length); // counted now, so the sender sees its backlog
    post(
        () -> {
          c.queued.addAndGet(-(5 + f.body().length));
          if (!c.closed) {
            long now = System.nanoTime();
            c.enqueue(f, now);
            flush(c, now);
          }
        });
  }

  // ---- answers (on a worker) ----

  /**
   * Returns WELCOME (the version, then what the peer may do: 0 nothing, 1 read, 2 write, so that
   * the sockopt hook needs no second round trip to ask), or a FAIL for a HELLO that is not ours.
   */
  private DaemonFrame checkHello(DaemonFrame hello, Peer peer) {
    byte[] b = hello.body();
    if (b.length < 10 || !Arrays.equals(Arrays.copyOf(b, 4), DaemonFrame.MAGIC)) {
      return fail(ModuleException.Kind.DAEMON, "expected a bpfilterctl HELLO");
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    int version = Short.toUnsignedInt(bb.getShort(4));
    if (version != DaemonFrame.VERSION) {
      return fail(
          ModuleException.Kind.DAEMON,
          "client speaks protocol version "
              + version
              + ", this daemon speaks "
              + DaemonFrame.VERSION);
    }
    // The pid the client announces (bytes 6..9) is not used: the kernel's SO_PEERCRED is.
    ByteBuffer w = ByteBuffer.allocate(3).order(ByteOrder.LITTLE_ENDIAN);
    w.putShort((short) DaemonFrame.VERSION);
    w.put((byte) (policy.mayWrite(peer) ? 2 : policy.mayRead(peer) ? 1 : 0));
    return new DaemonFrame(FrameType.WELCOME, w.array());
  }

  private DaemonFrame answerSafely(DaemonFrame f, Peer peer) {
    try {
      return answer(f, peer);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      String msg = "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage();
      host.log().add(selfPid, LogLine.Source.HOST, "daemon: " + msg);
      return fail(ModuleException.Kind.DAEMON, msg);
    }
  }

  private DaemonFrame answer(DaemonFrame f, Peer peer) {
    try {
      return switch (f.type()) {
        case CALL -> call(f, peer);
        case CONTROL -> control(f.bodyText(), peer);
        default -> fail(ModuleException.Kind.DAEMON, "unexpected frame " + f.type());
      };
    } catch (ModuleException e) {
      return fail(e.kind(), e.getMessage());
    }
  }

  /**
   * On the I/O thread: the answer to a CALL that the host knows without the umh (a GET_REVISION it
   * answered before, {@link ModuleHost#knownRevision}; a GET_INFO of a table or a GET_ENTRIES with
   * the bytes of one it answered before while nothing changed, {@link ModuleHost#rememberedRead}; a
   * SET_ADD_COUNTERS of zeros to a table as committed, {@link ModuleHost#idleCountersAdd}), or null
   * for a worker to answer. No lock, no pipe, nothing that can block: the revision probes, table
   * reads and idle counter adds of every iptables process are answered without two thread hops and
   * a umh round trip. Access is checked as the worker checks a get or a set.
   */
  private MboxReply knownAnswer(DaemonFrame f, Peer peer) {
    byte[] b = f.body();
    if (f.type() != FrameType.CALL || b.length < MboxRequest.HEADER_BYTES) {
      return null;
    }
    MboxRequest.Header h = MboxRequest.Header.decode(b);
    if (h.len() != b.length - MboxRequest.HEADER_BYTES
        || (h.isSet() != 0 ? !policy.mayWrite(peer) : !policy.mayRead(peer))) {
      return null; // a worker answers it, refusals included
    }
    if (h.isSet() != 0) {
      return host.idleCountersAdd(b, peer.pid(), peer.comm()).orElse(null);
    }
    boolean revision =
        h.cmd() == Sockopt.IPT_SO_GET_REVISION_MATCH.cmd()
            || h.cmd() == Sockopt.IPT_SO_GET_REVISION_TARGET.cmd();
    if (!revision) {
      // Compared where it lies: a table's entries (megabytes) are not copied for it.
      return host.rememberedRead(b, peer.pid(), peer.comm()).orElse(null);
    }
    if (b.length > MboxRequest.HEADER_BYTES + KNOWN_ANSWER_MAX_PAYLOAD) {
      return null;
    }
    byte[] payload = Arrays.copyOfRange(b, MboxRequest.HEADER_BYTES, b.length);
    return host.knownRevision(
            new MboxRequest(h.addr(), false, h.cmd(), peer.pid(), payload), peer.comm())
        .orElse(null);
  }

  private DaemonFrame call(DaemonFrame f, Peer peer) throws ModuleException {
    byte[] b = f.body();
    if (b.length < MboxRequest.HEADER_BYTES) {
      return fail(ModuleException.Kind.DAEMON, "CALL shorter than an mbox header");
    }
    MboxRequest.Header h = MboxRequest.Header.decode(b);
    if (h.len() != b.length - MboxRequest.HEADER_BYTES) {
      return fail(ModuleException.Kind.DAEMON, "CALL length does not match its header");
    }
    boolean set = h.isSet() != 0;
    if (set ? !policy.mayWrite(peer) : !policy.mayRead(peer)) {
      return denied(peer, (set ? "set" : "get") + " option " + h.cmd());
    }
    byte[] payload = Arrays.copyOfRange(b, MboxRequest.HEADER_BYTES, b.length);
    // The umh sees the caller's real pid (SO_PEERCRED), as the kernel's bpfilter did.
    MboxReply r =
        host.call(new MboxRequest(h.addr(), set, h.cmd(), peer.pid(), payload), peer.comm());
    return new DaemonFrame(FrameType.REPLY, r.encode());
  }

  private DaemonFrame control(String command, Peer peer) throws ModuleException {
    List<String> words = List.of(command.trim().split("\\s+"));
    String verb = words.get(0);
    if (verb.equals("access")) {
      // Anyone may ask what they may do: the sockopt hook refuses a raw socket up front, as the
      // kernel does, to a caller that may do nothing.
      String access = policy.mayWrite(peer) ? "write" : policy.mayRead(peer) ? "read" : "none";
      return DaemonFrame.text(FrameType.TEXT, access);
    }
    boolean write =
        verb.equals("load")
            || verb.equals("unload")
            || verb.equals("enforce")
            || verb.equals("stop");
    if (write ? !policy.mayWrite(peer) : !policy.mayRead(peer)) {
      return denied(peer, verb);
    }
    return switch (verb) {
      case "load" -> {
        if (words.size() > 2 || (words.size() == 2 && !words.get(1).equals("--discard-damaged"))) {
          yield fail(ModuleException.Kind.DAEMON, "load: unknown argument " + words.get(1));
        }
        int pid = words.size() == 2 ? host.loadDiscardingDamaged() : host.load();
        yield DaemonFrame.text(FrameType.TEXT, Integer.toString(pid));
      }
      case "unload" -> {
        host.unload();
        yield DaemonFrame.text(FrameType.TEXT, "");
      }
      case "enforce" -> {
        if (words.size() != 2 || !(words.get(1).equals("on") || words.get(1).equals("off"))) {
          yield fail(ModuleException.Kind.DAEMON, "enforce: on or off expected");
        }
        yield DaemonFrame.text(FrameType.TEXT, host.enforce(words.get(1).equals("on")).toJson());
      }
      case "status" -> DaemonFrame.text(FrameType.TEXT, host.status().toJson());
      case "log" -> {
        int n = count(words, MAX_LOG_LINES);
        StringBuilder b = new StringBuilder();
        for (LogLine l : host.log(n)) {
          b.append(l.toJson()).append('\n');
        }
        yield DaemonFrame.text(FrameType.TEXT, b.toString());
      }
      case "traffic" -> {
        int n = count(words, host.tap().capacity());
        StringBuilder b = new StringBuilder();
        for (Frame fr : host.tap().recent(n)) {
          b.append(fr.toJson()).append('\n');
        }
        yield DaemonFrame.text(FrameType.TEXT, b.toString());
      }
      case "stop" -> DaemonFrame.text(FrameType.TEXT, "stopping");
      default -> fail(ModuleException.Kind.DAEMON, "unknown control command " + verb);
    };
  }

  /** The count after a verb (default 100), at most {@code max}; a bad one is refused. */
  private static int count(List<String> words, int max) throws ModuleException {
    if (words.size() < 2) {
      return Math.min(100, max);
    }
    if (words.size() > 2) {
      throw new ModuleException(ModuleException.Kind.DAEMON, words.get(0) + ": one count expected");
    }
    String w = words.get(1);
    if (!w.matches("[0-9]{1,18}")) {
      throw new ModuleException(
          ModuleException.Kind.DAEMON,
          words.get(0) + ": bad count '" + w + "' (a number from 0 to " + max + ")");
    }
    return (int) Math.min(Long.parseLong(w), max);
  }

  private DaemonFrame denied(Peer peer, String what) {
    ModuleException e = deniedException(peer, what);
    return fail(e.kind(), e.getMessage());
  }

  /** The refusal of {@code what} to {@code peer}, logged. */
  private ModuleException deniedException(Peer peer, String what) {
    String msg =
        "permission denied: uid "
            + peer.uid()
            + " pid "
            + peer.pid()
            + " ("
            + peer.comm()
            + ") may not "
            + what;
    host.log().add(selfPid, LogLine.Source.HOST, "daemon: " + msg);
    return new ModuleException(ModuleException.Kind.PERMISSION_DENIED, msg);
  }

  static DaemonFrame fail(ModuleException.Kind kind, String message) {
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[1 + m.length];
    b[0] = (byte) kind.ordinal();
    System.arraycopy(m, 0, b, 1, m.length);
    return new DaemonFrame(FrameType.FAIL, b);
  }

  @Override
  public void close() throws IOException {
    closing = true;
    stopped.countDown();
    if (ioThread != null) {
      ns.signal(eventFd, wakeBuf); // wakes the poll: it sees closing and drops every connection
      try {
        ioThread.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (workers != null) {
      workers.shutdownNow();
    }
    if (bound) {
      // Only a server that bound the socket removes it: one refused for the lock must leave the
      // running daemon's socket alone.
      ns.close(listenFd);
      Files.deleteIfExists(socket.toAbsolutePath());
      bound = false;
    }
    if (eventFd >= 0) {
      ns.close(eventFd);
      eventFd = -1;
    }
    if (lock != null) {
      lock.release();
      lockFile.close();
      lock = null;
    }
  }
}

package bpfilterctl.core.module;

import bpfilterctl.core.uapi.Errno;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import jnr.constants.platform.Fcntl;
import jnr.posix.POSIX;
import jnr.posix.SpawnAttribute;
import jnr.posix.SpawnFileAction;

/**
 * One running umh: its pid and the host's ends of the three pipes. A reaper thread reads its stderr
 * line by line and, at EOF, waits for it: every umh is reaped exactly once, and {@link #exit()}
 * completes only after its last log line was delivered.
 *
 * <p>The request and reply fds are used by one thread at a time (the host's request lock) and are
 * closed only once the process has exited.
 */
final class UmhProcess {
  private static final int FD_CLOEXEC = 1;
  private static final int PIPE_BYTES = 1 << 20;

  private final POSIX posix;
  private final int pid;
  private final int requestFd;
  private final int replyFd;
  private final long startedNanos;

  /**
   * Native memory for the pipe I/O: jnr marshals a heap array whole on every call, which made each
   * 64 KiB pipe read of a 10 MiB reply copy the whole array; a direct buffer is passed as is.
   */
  private final ByteBuffer io = ByteBuffer.allocateDirect(1 << 20);

  private final CompletableFuture<ExitStatus> exit = new CompletableFuture<>();
  private boolean requestClosed;
  private boolean closed;

  private UmhProcess(POSIX posix, int pid, int requestFd, int replyFd) {
    this.posix = posix;
    this.pid = pid;
    this.requestFd = requestFd;
    this.replyFd = replyFd;
    this.startedNanos = System.nanoTime();
  }

  /**
   * Starts {@code command} (an image's, with any extra umh arguments) with a request pipe on its fd
   * 0, a reply pipe on fd 1 and a log pipe on fd 2, every other fd closed. Each stderr line goes to
   * {@code logSink} on the reaper thread.
   */
  static UmhProcess spawn(POSIX posix, List<String> command, BiConsumer<Integer, String> logSink)
      throws SpawnException {
    int[] req = pipe(posix);
    int[] rep = pipe(posix);
    int[] log = pipe(posix);
    widen(posix, req[1]);
    widen(posix, rep[1]);
    List<SpawnFileAction> actions = new ArrayList<>();
    actions.add(SpawnFileAction.dup(req[0], 0));
    actions.add(SpawnFileAction.dup(rep[1], 1));
    actions.add(SpawnFileAction.dup(log[1], 2));
    // pipe() fds are inherited unless closed, and so is any fd the JVM opened without
    // O_CLOEXEC: close every fd above 2 in the child.
    for (int fd : openFds()) {
      if (fd > 2) {
        actions.add(SpawnFileAction.close(fd));
      }
    }
    List<String> env = new ArrayList<>();
    for (Map.Entry<String, String> e : System.getenv().entrySet()) {
      env.add(e.getKey() + "=" + e.getValue());
    }
    // A process group of its own, as a kernel umh has: a Ctrl-C typed at the shell that hosts the
    // module must not reach the umh through the terminal's foreground group.
    List<SpawnAttribute> attrs =
        List.of(SpawnAttribute.flags((short) SpawnAttribute.SETPGROUP), SpawnAttribute.pgroup(0));
    long pid = posix.posix_spawnp(command.get(0), actions, attrs, command, env);
    int spawnErrno = posix.errno();
    posix.close(req[0]);
    posix.close(rep[1]);
    posix.close(log[1]);
    if (pid <= 0) {
      posix.close(req[1]);
      posix.close(rep[0]);
      posix.close(log[0]);
      throw new SpawnException("posix_spawn of " + command.get(0) + " failed: errno " + spawnErrno);
    }
    UmhProcess p = new UmhProcess(posix, (int) pid, req[1], rep[0]);
    Thread reaper = new Thread(() -> p.drainLogThenReap(log[0], logSink), "umh-reaper-" + pid);
    reaper.setDaemon(true);
    reaper.start();
    return p;
  }

  private static int[] pipe(POSIX posix) throws SpawnException {
    int[] fds = new int[2];
    if (posix.pipe(fds) != 0) {
      throw new SpawnException("pipe() failed: errno " + posix.errno());
    }
    posix.fcntlInt(fds[0], Fcntl.F_SETFD, FD_CLOEXEC);
    posix.fcntlInt(fds[1], Fcntl.F_SETFD, FD_CLOEXEC);
    return fds;
  }

  /**
   * A table blob crosses the pipe in one go instead of 64 KiB turns of writer and reader (each a
   * wake-up of the other side): as large as an unprivileged process may ask (pipe-max-size, 1 MiB
   * by default). Best effort: a kernel that refuses keeps the default, which only costs time.
   */
  private static void widen(POSIX posix, int fd) {
    posix.fcntlInt(fd, Fcntl.F_SETPIPE_SZ, PIPE_BYTES);
  }

  /** The fds this process has open now. */
  static List<Integer> openFds() {
    List<Integer> fds = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path p : ds) {
        fds.add(Integer.parseInt(p.getFileName().toString()));
      }
    } catch (IOException | NumberFormatException e) {
      // Without /proc we rely on the close-on-exec flags alone.
    }
    return fds;
  }

  private void drainLogThenReap(int logFd, BiConsumer<Integer, String> logSink) {
    byte[] buf = new byte[8192];
    LineSplitter splitter = new LineSplitter(line -> logSink.accept(pid, line));
    while (true) {
      int n = posix.read(logFd, buf, buf.length);
      if (n < 0 && posix.errno() == Errno.EINTR.code()) {
        continue;
      }
      if (n <= 0) {
        break;
      }
      splitter.accept(buf, n);
    }
    splitter.finish();
    posix.close(logFd);
    int[] status = new int[1];
    int r;
    do {
      r = posix.waitpid(pid, status, 0);
    } while (r < 0 && posix.errno() == Errno.EINTR.code());
    exit.complete(r == pid ? ExitStatus.fromWaitStatus(status[0]) : new ExitStatus(-1, 0));
  }

  int pid() {
    return pid;
  }

  long startedNanos() {
    return startedNanos;
  }

  CompletableFuture<ExitStatus> exit() {
    return exit;
  }

  boolean alive() {
    return !exit.isDone();
  }

  /**
   * Writes all of {@code head} then all of {@code body}, as one stream; returns how many bytes went
   * out before an error.
   */
  int writeFully(byte[] head, byte[] body) {
    int total = head.length + body.length;
    int off = 0;
    while (off < total) {
      int n = Math.min(io.capacity(), total - off);
      io.clear();
      int fromHead = Math.max(0, Math.min(n, head.length - off));
      if (fromHead > 0) {
        io.put(head, off, fromHead);
      }
      io.put(body, off + fromHead - head.length, n - fromHead).flip();
      int w = posix.write(requestFd, io, n);
      if (w < 0 && posix.errno() == Errno.EINTR.code()) {
        continue;
      }
      if (w <= 0) {
        break;
      }
      off += w;
    }
    return off;
  }

  /** Reads exactly {@code n} bytes into {@code buf} unless EOF comes first; returns the count. */
  int readFully(byte[] buf, int n) {
    int off = 0;
    while (off < n) {
      int want = Math.min(io.capacity(), n - off);
      io.clear();
      int r = posix.read(replyFd, io, want);
      if (r < 0 && posix.errno() == Errno.EINTR.code()) {
        continue;
      }
      if (r <= 0) {
        break;
      }
      io.get(0, buf, off, r);
      off += r;
    }
    return off;
  }

  void kill(int signal) {
    if (alive()) {
      posix.kill(pid, signal);
    }
  }

  /** EOF on the umh's fd 0: the original unload path. */
  void closeRequestPipe() {
    if (!requestClosed) {
      requestClosed = true;
      posix.close(requestFd);
    }
  }

  /** Releases the host's pipe ends; only once the process has exited. */
  void release() {
    if (!closed) {
      closed = true;
      closeRequestPipe();
      posix.close(replyFd);
    }
  }

  /** Cuts a byte stream into lines for the log, decoding UTF-8 line by line. */
  private static final class LineSplitter {
    private final Consumer<String> sink;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    LineSplitter(Consumer<String> sink) {
      this.sink = sink;
    }

    void accept(byte[] buf, int n) {
      int start = 0;
      for (int i = 0; i < n; i++) {
        if (buf[i] == '\n') {
          pending.write(buf, start, i - start);
          emit();
          start = i + 1;
        }
      }
      pending.write(buf, start, n - start);
      if (pending.size() > ModuleLog.MAX_LINE_CHARS * 4) {
        emit();
      }
    }

    void finish() {
      if (pending.size() > 0) {
        emit();
      }
    }

    private void emit() {
      sink.accept(pending.toString(StandardCharsets.UTF_8));
      pending.reset();
    }
  }
}

package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.Errno;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import jnr.constants.platform.OpenFlags;
import jnr.ffi.LibraryLoader;

/**
 * The xtables lock as iptables-legacy 1.8.9 takes it (xshared.c xtables_lock): flock(LOCK_EX) on
 * {@code /run/xtables.lock} (or {@code XTABLES_LOCKFILE}), opened O_RDONLY|O_CREAT 0600, held until
 * the command is done, so our commands and unmodified iptables-legacy binaries never interleave
 * their read-modify-replace cycles. An flock, not Java's FileLock: that one is an fcntl lock, which
 * flock holders never see.
 *
 * <p>Waiting follows 1.8.9, whose lock ignores "no -w": without -w, with -w alone, and with -w 0 it
 * waits as long as it takes; with -w N it gives up after N seconds with iptables' two lines and
 * exit status 4. We poll with LOCK_NB so that a waiting shell can still be interrupted.
 */
public final class XtablesLock {
  /** XT_LOCK_NAME. */
  public static final Path DEFAULT_FILE = Path.of("/run/xtables.lock");

  private static final int LOCK_EX = 2;
  private static final int LOCK_NB = 4;
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  /** A held lock; closing it releases it (close(2) of the file). */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  private static final Held NOTHING = () -> {};

  /** Takes the lock somewhere else: in the process of a caller a daemon runs a command for. */
  public interface Taker {
    Held acquire(Path file, int wait) throws RuleException;
  }

  private final Optional<Path> file;
  private final Optional<Taker> taker;

  /**
   * The three libc calls the lock makes, bound by jnr-ffi alone: jnr-posix binds all of libc, which
   * cost a process that had not loaded it 280 ms and 490 ms of CPU on its first lock here, against
   * 137 and 250 for these three (a refused user's command, a non-root client of the daemon).
   */
  public interface LockCalls {
    int open(String path, int flags, int mode);

    int flock(int fd, int operation);

    int close(int fd);
  }

  /** Loaded on the first lock, never before: a command that takes none pays nothing. */
  private LockCalls libc;

  private XtablesLock(Optional<Path> file, Optional<Taker> taker) {
    this.file = file;
    this.taker = taker;
  }

  /** No lock at all (a private engine in tests, a table no other program can see). */
  public static XtablesLock none() {
    return new XtablesLock(Optional.empty(), Optional.empty());
  }

  /** flock on {@code file}. */
  public static XtablesLock at(Path file) {
    return new XtablesLock(Optional.of(file), Optional.empty());
  }

  /** The lock on {@code file}, taken by {@code taker} (with the same waiting and refusals). */
  public static XtablesLock via(Path file, Taker taker) {
    return new XtablesLock(Optional.of(file), Optional.of(taker));
  }

  /** XTABLES_LOCKFILE when set and not empty, else /run/xtables.lock. */
  public static XtablesLock fromEnvironment(Map<String, String> env) {
    String f = env.get("XTABLES_LOCKFILE");
    return at(f == null || f.isEmpty() ? DEFAULT_FILE : Path.of(f));
  }

  public Optional<Path> file() {
    return file;
  }

  /**
   * xtables_lock_or_exit({@code wait}): -1 or 0 wait for as long as it takes, N &gt; 0 for N
   * seconds. A refusal is a {@link RuleException.Status#RESOURCE} with iptables' words.
   */
  public Held acquire(int wait) throws RuleException {
    if (file.isEmpty()) {
      return NOTHING;
    }
    if (taker.isPresent()) {
      return taker.get().acquire(file.get(), wait);
    }
    String name = file.get().toString();
    LockCalls p = libc();
    int fd = p.open(name, OpenFlags.O_RDONLY.intValue() | OpenFlags.O_CREAT.intValue(), 0600);
    if (fd < 0) {
      throw new RuleException(
              RuleException.Status.RESOURCE,
              "Fatal: can't open lock file " + name + ": " + Errno.strerror(errno(p)))
          .bare();
    }
    long deadline = wait > 0 ? System.nanoTime() + TimeUnit.SECONDS.toNanos(wait) : Long.MAX_VALUE;
    long pause = TimeUnit.MILLISECONDS.toNanos(1);
    while (true) {
      if (p.flock(fd, LOCK_EX | LOCK_NB) == 0) {
        return () -> p.close(fd);
      }
      int errno = errno(p);
      boolean timedOut = wait > 0 && System.nanoTime() >= deadline;
      if ((errno != Errno.EAGAIN.code() && errno != Errno.EINTR.code())
          || timedOut
          || Thread.currentThread().isInterrupted()) {
        p.close(fd);
        // 1.8.9 reports an alarm's EINTR as EWOULDBLOCK
        int shown = errno == Errno.EINTR.code() ? Errno.EAGAIN.code() : errno;
        throw new RuleException(
                RuleException.Status.RESOURCE,
                "Can't lock "
                    + name
                    + ": "
                    + Errno.strerror(shown)
                    + "\nAnother app is currently holding the xtables lock. "
                    + (wait == 0
                        ? "Perhaps you want to use the -w option?"
                        : "Stopped waiting after " + wait + "s."))
            .bare();
      }
      long left = deadline - System.nanoTime();
      try {
        TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(pause, left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      pause = Math.min(pause * 2, MAX_POLL_NANOS);
    }
  }

  private synchronized LockCalls libc() {
    if (libc == null) {
      libc = LibraryLoader.create(LockCalls.class).load("c");
    }
    return libc;
  }

  /** The errno of this thread's last call through {@code p} (jnr keeps it per thread). */
  private static int errno(LockCalls p) {
    return jnr.ffi.Runtime.getRuntime(p).getLastError();
  }
}

package bpfilterctl.core.daemon;

import bpfilterctl.core.uapi.Errno;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;

/**
 * The few libc socket calls the daemon makes on raw fds: the JDK's unix channels give neither the
 * fd nor the peer's pid (SO_PEERCRED), and their accept gives up for good on one EMFILE. Linux
 * x86-64 constants; every call returns -1 with {@link #errno()} set on failure.
 */
final class NativeSockets {

  static final short POLLIN = 0x1;
  static final short POLLOUT = 0x4;
  static final short POLLERR = 0x8;
  static final short POLLHUP = 0x10;
  static final short POLLNVAL = 0x20;

  private static final int AF_UNIX = 1;
  private static final int SOCK_STREAM = 1;
  private static final int SOCK_NONBLOCK = 04000;
  private static final int SOCK_CLOEXEC = 02000000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_PEERCRED = 17;
  private static final int SO_PEERGROUPS = 59;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int SUN_PATH_MAX = 108;

  /** The libc functions, bound by jnr-ffi. */
  public interface LibC {
    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, @In byte[] addr, int len);

    @SaveError
    int listen(int fd, int backlog);

    @SaveError
    int accept4(int fd, Pointer addr, Pointer len, int flags);

    @SaveError
    int getsockopt(int fd, int level, int name, @Out byte[] value, int[] len);

    @SaveError
    int poll(Pointer fds, long nfds, int timeoutMillis);

    @SaveError
    int eventfd(int initval, int flags);

    @SaveError
    long recv(int fd, Pointer buf, long len, int flags);

    @SaveError
    long send(int fd, Pointer buf, long len, int flags);

    @SaveError
    long send(int fd, @In byte[] buf, long len, int flags);

    @SaveError
    long read(int fd, Pointer buf, long len);

    @SaveError
    long write(int fd, Pointer buf, long len);

    int close(int fd);
  }

  /** What SO_PEERCRED says of the process that connected. */
  record Credentials(int pid, int uid, int gid) {}

  private final LibC libc;
  private final Runtime runtime;

  NativeSockets() {
    libc = LibraryLoader.create(LibC.class).load("c");
    runtime = Runtime.getRuntime(libc);
  }

  int errno() {
    return runtime.getLastError();
  }

  /** Native memory of {@code bytes}, for I/O without copying whole arrays. */
  Pointer allocate(int bytes) {
    return Memory.allocateDirect(runtime, bytes);
  }

  /** A non-blocking listening socket bound at {@code path} (which must not exist). */
  int listen(Path path, int backlog) throws IOException {
    byte[] p = path.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH_MAX) {
      throw new IOException(
          "socket path " + path + " is too long (" + p.length + " bytes, at most 107)");
    }
    ByteBuffer addr = ByteBuffer.allocate(2 + SUN_PATH_MAX).order(ByteOrder.nativeOrder());
    addr.putShort((short) AF_UNIX).put(p);
    int fd = libc.socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      throw new IOException("socket: " + strerror(errno()));
    }
    if (libc.bind(fd, addr.array(), 2 + p.length + 1) < 0) {
      int e = errno();
      libc.close(fd);
      throw new IOException("bind " + path + ": " + strerror(e));
    }
    if (libc.listen(fd, backlog) < 0) {
      int e = errno();
      libc.close(fd);
      throw new IOException("listen " + path + ": " + strerror(e));
    }
    return fd;
  }

  /** A new non-blocking connection, or -1 with errno (EAGAIN: none pending). */
  int accept(int listenFd) {
    return libc.accept4(listenFd, null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
  }

  Credentials peerCredentials(int fd) throws IOException {
    byte[] b = new byte[12];
    int[] len = {12};
    if (libc.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, b, len) < 0) {
      throw new IOException("SO_PEERCRED: " + strerror(errno()));
    }
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
    return new Credentials(bb.getInt(0), bb.getInt(4), bb.getInt(8));
  }

  /**
   * The peer's supplementary groups as they were when it connected (SO_PEERGROUPS, Linux 4.13);
   * null when the kernel cannot tell.
   */
  int[] peerGroups(int fd) {
    for (int size = 64; size <= 65536; size *= 4) {
      byte[] b = new byte[4 * size];
      int[] len = {b.length};
      if (libc.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, b, len) == 0) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
        int[] gids = new int[len[0] / 4];
        for (int i = 0; i < gids.length; i++) {
          gids[i] = bb.getInt(4 * i);
        }
        return gids;
      }
      if (errno() != 34) { // ERANGE: a bigger buffer is needed
        return null;
      }
    }
    return null;
  }

  /** A non-blocking eventfd, to wake a poll. */
  int eventfd() throws IOException {
    int fd = libc.eventfd(0, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      throw new IOException("eventfd: " + strerror(errno()));
    }
    return fd;
  }

  /** Adds one to the eventfd: the poll on it returns. */
  void signal(int eventFd, Pointer eight) {
    eight.putLong(0, 1);
    libc.write(eventFd, eight, 8);
  }

  /** Resets the eventfd's count. */
  void drain(int eventFd, Pointer eight) {
    libc.read(eventFd, eight, 8);
  }

  int poll(Pointer fds, int n, int timeoutMillis) {
    return libc.poll(fds, n, timeoutMillis);
  }

  long recv(int fd, Pointer buf, int len) {
    return libc.recv(fd, buf, len, 0);
  }

  /** Never raises SIGPIPE: a peer gone away is EPIPE. */
  long send(int fd, Pointer buf, int len) {
    return libc.send(fd, buf, len, MSG_NOSIGNAL);
  }

  /** As {@link #send(int, Pointer, int)}, from a Java array (any thread; no shared buffer). */
  long send(int fd, byte[] buf, int len) {
    return libc.send(fd, buf, len, MSG_NOSIGNAL);
  }

  void close(int fd) {
    libc.close(fd);
  }

  static String strerror(int errno) {
    return Errno.nameOf(errno);
  }
}

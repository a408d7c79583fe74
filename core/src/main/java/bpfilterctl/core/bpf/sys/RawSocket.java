package bpfilterctl.core.bpf.sys;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A raw IPv4 socket (IPPROTO_RAW: the caller writes the whole IP header) in the network namespace
 * of the thread that opened it. The kernel fills a zero source address, the total length and the
 * header checksum, and a zero id (as its own DF replies keep it, or a fresh one without DF).
 */
public final class RawSocket implements AutoCloseable {
  private static final int AF_INET = 2;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int IPPROTO_RAW = 255;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int SOL_SOCKET = 1;
  private static final int SO_COOKIE = 57;

  private final IoLibc libc;
  private final Runtime runtime;
  private final int fd;
  private boolean closed;

  private RawSocket(IoLibc libc, int fd) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
    this.fd = fd;
  }

  /** Opens the socket in the calling thread's network namespace (needs CAP_NET_RAW). */
  public static RawSocket open() throws BpfException {
    IoLibc libc = LibraryLoader.create(IoLibc.class).load("c");
    int fd = libc.socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (fd < 0) {
      throw new BpfException("socket(AF_INET, SOCK_RAW)", Runtime.getRuntime(libc).getLastError());
    }
    return new RawSocket(libc, fd);
  }

  /**
   * The socket's cookie (SO_COOKIE): the kernel's 64-bit id of it, never 0, never reused while the
   * kernel runs; what a BPF program reads as sk->__sk_common.skc_cookie once it was asked for.
   */
  public long cookie() throws BpfException {
    Pointer value = Memory.allocateDirect(runtime, 8, true);
    Pointer len = Memory.allocateDirect(runtime, 4, true);
    len.putInt(0, 8);
    if (libc.getsockopt(fd, SOL_SOCKET, SO_COOKIE, value, len) < 0) {
      throw new BpfException("getsockopt(SO_COOKIE)", runtime.getLastError());
    }
    return value.getLong(0);
  }

  /**
   * Sends one IPv4 packet to its destination address (bytes 16-19), without blocking. Returns 0 or
   * the errno.
   */
  public synchronized int send(byte[] packet) {
    Pointer buf = Memory.allocateDirect(runtime, packet.length);
    buf.put(0, packet, 0, packet.length);
    Pointer sa = Memory.allocateDirect(runtime, 16, true);
    sa.putShort(0, (short) AF_INET);
    sa.put(4, packet, 16, 4);
    long r = libc.sendto(fd, buf, packet.length, MSG_DONTWAIT, sa, 16);
    return r < 0 ? runtime.getLastError() : 0;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      libc.close(fd);
    }
  }
}

package bpfilterctl.core.bpf.sys;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * A NETLINK_ROUTE socket of the calling thread's network namespace (a socket belongs to the
 * namespace it was made in, whatever thread uses it later), through raw syscalls.
 */
public final class Netlink implements AutoCloseable {
  private static final long SYS_READ = 0;
  private static final long SYS_WRITE = 1;
  private static final long SYS_POLL = 7;
  private static final long SYS_SOCKET = 41;
  private static final long SYS_BIND = 49;
  private static final int AF_NETLINK = 16;
  private static final int SOCK_RAW = 3;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int NETLINK_ROUTE = 0;
  private static final short POLLIN = 1;

  public static final int RTMGRP_LINK = 0x1;
  public static final int RTMGRP_IPV4_IFADDR = 0x10;
  public static final int RTMGRP_IPV4_ROUTE = 0x40;
  public static final int RTMGRP_IPV4_RULE = 0x80;

  private final Libc libc;
  private final Runtime runtime;
  private final Fd fd;
  private final Pointer buf;

  private Netlink(Libc libc, Fd fd) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
    this.fd = fd;
    this.buf = Memory.allocateDirect(runtime, 1 << 16, true);
  }

  /** A socket bound to the multicast {@code groups} (RTMGRP_* bits; 0 for requests only). */
  public static Netlink open(Libc libc, int groups) throws BpfException {
    Runtime rt = Runtime.getRuntime(libc);
    long s = libc.syscall(SYS_SOCKET, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s < 0) {
      throw new BpfException("socket(AF_NETLINK)", rt.getLastError());
    }
    Fd fd = new Fd(libc, (int) s);
    Pointer addr = Memory.allocateDirect(rt, 12, true);
    addr.putShort(0, (short) AF_NETLINK);
    addr.putInt(8, groups);
    if (libc.syscall(SYS_BIND, s, addr.address(), 12) < 0) {
      int errno = rt.getLastError();
      fd.close();
      throw new BpfException("bind(AF_NETLINK)", errno);
    }
    return new Netlink(libc, fd);
  }

  /** Sends one message to the kernel. */
  public void send(byte[] message) throws BpfException {
    Pointer p = Memory.allocateDirect(runtime, message.length, true);
    p.put(0, message, 0, message.length);
    if (libc.syscall(SYS_WRITE, fd.value(), p.address(), message.length) < 0) {
      throw new BpfException("netlink send", runtime.getLastError());
    }
  }

  /** The next datagram (one or more messages); throws on ENOBUFS (events were lost) and errors. */
  public byte[] receive() throws BpfException {
    long n = libc.syscall(SYS_READ, fd.value(), buf.address(), 1 << 16);
    if (n < 0) {
      throw new BpfException("netlink receive", runtime.getLastError());
    }
    byte[] out = new byte[(int) n];
    buf.get(0, out, 0, out.length);
    return out;
  }

  /** True when a datagram is waiting, after at most {@code millis}. */
  public boolean poll(int millis) throws BpfException {
    Pointer p = Memory.allocateDirect(runtime, 8, true);
    p.putInt(0, fd.value());
    p.putShort(4, POLLIN);
    long r = libc.syscall(SYS_POLL, p.address(), 1, millis);
    if (r < 0) {
      int errno = runtime.getLastError();
      if (errno == 4 /* EINTR */) {
        return false;
      }
      throw new BpfException("poll", errno);
    }
    return r > 0;
  }

  @Override
  public void close() {
    fd.close();
  }
}

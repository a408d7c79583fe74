package bpfilterctl.core.bpf.sys;

/** A file descriptor the kernel gave us (map, program, link, namespace), closed once. */
public final class Fd implements AutoCloseable {
  private final Libc libc;
  private final int fd;
  private boolean closed;

  Fd(Libc libc, int fd) {
    this.libc = libc;
    this.fd = fd;
  }

  public int value() {
    if (closed) {
      throw new IllegalStateException("fd " + fd + " is closed");
    }
    return fd;
  }

  public boolean isClosed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      libc.close(fd);
    }
  }

  @Override
  public String toString() {
    return "fd " + fd;
  }
}

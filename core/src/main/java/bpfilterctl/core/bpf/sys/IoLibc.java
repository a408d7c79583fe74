package bpfilterctl.core.bpf.sys;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/**
 * The libc entry points for reading a BPF ring buffer and sending raw IPv4 packets (and the sending
 * socket's cookie).
 */
public interface IoLibc {
  /**
   * syscall(2) with six arguments: mmap and munmap go through it, because a call of libc's mmap
   * through jnr-ffi here never reached the kernel (it failed with EINVAL, no mmap in strace).
   */
  @SaveError
  long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

  @SaveError
  int poll(Pointer fds, long nfds, int timeoutMs);

  @SaveError
  int socket(int domain, int type, int protocol);

  @SaveError
  long sendto(int fd, Pointer buf, long len, int flags, Pointer addr, int addrlen);

  @SaveError
  int getsockopt(int fd, int level, int name, Pointer value, Pointer len);

  @SaveError
  int close(int fd);

  int getpagesize();
}

package bpfilterctl.core.bpf.sys;

import jnr.ffi.annotations.SaveError;

/** The few libc entry points the bpf layer calls through jnr-ffi. */
public interface Libc {
  /** syscall(2); glibc's is a plain register shuffle, so fixed long arguments are safe. */
  @SaveError
  long syscall(long number, long a1, long a2, long a3);

  @SaveError
  int setns(int fd, int nstype);

  @SaveError
  int open(String path, int flags);

  @SaveError
  int close(int fd);

  @SaveError
  int mount(String source, String target, String type, long flags, String data);
}

package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Errno;

/** A call the kernel would refuse, and the errno it would refuse it with. */
final class Rejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final Errno errno;

  Rejection(Errno errno) {
    super(errno.name(), null, false, false);
    this.errno = errno;
  }

  Errno errno() {
    return errno;
  }
}

package bpfilterctl.core.bpf.sys;

import bpfilterctl.core.uapi.Errno;

/**
 * A bpf() (or related) call the kernel refused: which call, the errno, and for PROG_LOAD the
 * verifier's log, which says why.
 */
public final class BpfException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int errno;
  private final String log;

  public BpfException(String call, int errno, String log) {
    super(call + ": " + errnoName(errno) + (log.isEmpty() ? "" : "\n" + log));
    this.errno = errno;
    this.log = log;
  }

  public BpfException(String call, int errno) {
    this(call, errno, "");
  }

  public int errno() {
    return errno;
  }

  /** The verifier log of a refused PROG_LOAD, empty otherwise. */
  public String log() {
    return log;
  }

  static String errnoName(int errno) {
    return Errno.of(errno).map(Enum::name).orElse("errno " + errno);
  }
}

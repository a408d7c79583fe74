package bpfilterctl.core.iptables;

import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Errno;

/**
 * The iptables front-end's view of the module: getsockopt and setsockopt of IPT_SO_* options, as
 * libiptc makes them on its raw socket. An errno answer is a {@link SockoptError}; a module that
 * cannot be reached is a {@link ModuleException}.
 */
public interface Sockopts {
  /**
   * getsockopt: {@code in} is the caller's buffer (its length is optlen); returns what came back.
   */
  byte[] get(int cmd, byte[] in) throws SockoptError, ModuleException;

  /** setsockopt. Returns the reply's payload (the old counters of a SET_REPLACE). */
  byte[] set(int cmd, byte[] value) throws SockoptError, ModuleException;

  /** An errno answer. */
  final class SockoptError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public SockoptError(int errno) {
      super(Errno.strerror(errno));
      this.errno = errno;
    }

    public int errno() {
      return errno;
    }
  }
}

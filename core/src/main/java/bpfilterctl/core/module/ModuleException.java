package bpfilterctl.core.module;

import bpfilterctl.core.uapi.Errno;

/** A request or a load that the module could not carry out, and why. */
public final class ModuleException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The distinct ways a call can fail on the host side, each with the errno a raw caller sees. */
  public enum Kind {
    /** Nothing is loaded. */
    NOT_LOADED(Errno.ECHILD),
    /** The start limit was hit or the last load failed; an explicit load is needed. */
    FAILED(Errno.ECHILD),
    /** The umh is dead and its next start is further away than the request's deadline. */
    RESTARTING(Errno.EAGAIN),
    /** A umh was spawned but did not pass the handshake, or could not be spawned. */
    START_FAILED(Errno.ECHILD),
    /** The umh died while the request was on the pipes. */
    UMH_DIED(Errno.EPIPE),
    /** No reply within the deadline; the umh was killed. */
    TIMEOUT(Errno.ETIMEDOUT),
    /** The umh broke the wire format (garbage status, reply longer than allowed); it was killed. */
    PROTOCOL(Errno.EPROTO),
    /** The daemon refused the caller: it lacks the rights for this operation. */
    PERMISSION_DENIED(Errno.EPERM),
    /** The daemon could not be reached, or speaks another protocol version. */
    DAEMON(Errno.ECONNREFUSED),
    /**
     * The module refused a control operation (enforce on a table the compiler cannot express, or on
     * a machine that cannot enforce). Last: the daemon sends kinds by ordinal.
     */
    REFUSED(Errno.EINVAL);

    private final Errno errno;

    Kind(Errno errno) {
      this.errno = errno;
    }

    public Errno errno() {
      return errno;
    }
  }

  private final Kind kind;

  public ModuleException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}

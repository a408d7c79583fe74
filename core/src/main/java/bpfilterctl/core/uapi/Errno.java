package bpfilterctl.core.uapi;

import java.util.Optional;

/**
 * The Linux (x86-64, generic) errno values the project meets, with their names and glibc's
 * strerror(3) texts: the one table of both.
 */
public enum Errno {
  EPERM(1, "Operation not permitted"),
  ENOENT(2, "No such file or directory"),
  ESRCH(3, "No such process"),
  EINTR(4, "Interrupted system call"),
  EIO(5, "Input/output error"),
  ENXIO(6, "No such device or address"),
  E2BIG(7, "Argument list too long"),
  EBADF(9, "Bad file descriptor"),
  ECHILD(10, "No child processes"),
  EAGAIN(11, "Resource temporarily unavailable"),
  ENOMEM(12, "Cannot allocate memory"),
  EACCES(13, "Permission denied"),
  EFAULT(14, "Bad address"),
  EBUSY(16, "Device or resource busy"),
  EEXIST(17, "File exists"),
  ENODEV(19, "No such device"),
  ENOTDIR(20, "Not a directory"),
  EINVAL(22, "Invalid argument"),
  ENFILE(23, "Too many open files in system"),
  EMFILE(24, "Too many open files"),
  ENOSPC(28, "No space left on device"),
  EMLINK(31, "Too many links"),
  EPIPE(32, "Broken pipe"),
  EDOM(33, "Numerical argument out of domain"),
  ERANGE(34, "Numerical result out of range"),
  ENAMETOOLONG(36, "File name too long"),
  ENOSYS(38, "Function not implemented"),
  ENOTEMPTY(39, "Directory not empty"),
  ELOOP(40, "Too many levels of symbolic links"),
  EPROTO(71, "Protocol error"),
  EPROTOTYPE(91, "Protocol wrong type for socket"),
  EBADMSG(74, "Bad message"),
  EOVERFLOW(75, "Value too large for defined data type"),
  EOPNOTSUPP(95, "Operation not supported"),
  ENOPROTOOPT(92, "Protocol not available"),
  EPROTONOSUPPORT(93, "Protocol not supported"),
  ECONNREFUSED(111, "Connection refused"),
  ETIMEDOUT(110, "Connection timed out");

  private final int code;
  private final String text;

  Errno(int code, String text) {
    this.code = code;
    this.text = text;
  }

  public int code() {
    return code;
  }

  /** glibc's strerror(3) text. */
  public String text() {
    return text;
  }

  /**
   * strerror(3) of an errno code (its sign ignored), "Unknown error N" for one we have no name for.
   */
  public static String strerror(int code) {
    return of(code).map(Errno::text).orElse("Unknown error " + Math.abs(code));
  }

  /** The negative status a reply carries for this errno. */
  public int status() {
    return -code;
  }

  public static Optional<Errno> of(int code) {
    int c = Math.abs(code);
    for (Errno e : values()) {
      if (e.code == c) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  public static Optional<Errno> named(String name) {
    for (Errno e : values()) {
      if (e.name().equals(name)) {
        return Optional.of(e);
      }
    }
    return Optional.empty();
  }

  /** The name of a positive errno code, or its number when we have no name for it. */
  public static String nameOf(int code) {
    return of(code).map(Enum::name).orElse("E" + Math.abs(code));
  }
}

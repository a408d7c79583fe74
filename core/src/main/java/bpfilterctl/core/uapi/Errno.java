package bpfilterctl.core.uapi;

import java.util.Optional;

/** The Linux (x86-64, generic) errno values that travel on the pipes, with their names. */
public enum Errno {
  EPERM(1),
  ENOENT(2),
  ESRCH(3),
  EINTR(4),
  EIO(5),
  ENXIO(6),
  E2BIG(7),
  EBADF(9),
  ECHILD(10),
  EAGAIN(11),
  ENOMEM(12),
  EACCES(13),
  EFAULT(14),
  EBUSY(16),
  EEXIST(17),
  ENODEV(19),
  ENOTDIR(20),
  EINVAL(22),
  ENFILE(23),
  EMFILE(24),
  ENOSPC(28),
  EPIPE(32),
  EDOM(33),
  ERANGE(34),
  ENAMETOOLONG(36),
  ENOSYS(38),
  ENOTEMPTY(39),
  ELOOP(40),
  EPROTO(71),
  EPROTOTYPE(91),
  EBADMSG(74),
  EOVERFLOW(75),
  EOPNOTSUPP(95),
  ENOPROTOOPT(92),
  EPROTONOSUPPORT(93),
  ECONNREFUSED(111),
  ETIMEDOUT(110);

  private final int code;

  Errno(int code) {
    this.code = code;
  }

  public int code() {
    return code;
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

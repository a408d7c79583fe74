package bpfilterctl.core.inspect;

import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;
import java.util.Optional;

/**
 * What an errno means: glibc's strerror text, and what ip_tables means by it for one IPT_SO_*
 * option (as libiptc's iptc_strerror does), so that an admin reads the cause, not just a number.
 */
public final class ErrnoText {
  private ErrnoText() {}

  /** strerror(3) of a positive errno code. */
  public static String strerror(int code) {
    return Errno.of(code).map(ErrnoText::strerror).orElse("Unknown error " + Math.abs(code));
  }

  static String strerror(Errno e) {
    return switch (e) {
      case EPERM -> "Operation not permitted";
      case ENOENT -> "No such file or directory";
      case ESRCH -> "No such process";
      case EINTR -> "Interrupted system call";
      case EIO -> "Input/output error";
      case ENXIO -> "No such device or address";
      case E2BIG -> "Argument list too long";
      case EBADF -> "Bad file descriptor";
      case ECHILD -> "No child processes";
      case EAGAIN -> "Resource temporarily unavailable";
      case ENOMEM -> "Cannot allocate memory";
      case EACCES -> "Permission denied";
      case EFAULT -> "Bad address";
      case EBUSY -> "Device or resource busy";
      case EEXIST -> "File exists";
      case ENODEV -> "No such device";
      case ENOTDIR -> "Not a directory";
      case EINVAL -> "Invalid argument";
      case ENFILE -> "Too many open files in system";
      case EMFILE -> "Too many open files";
      case ENOSPC -> "No space left on device";
      case EPIPE -> "Broken pipe";
      case EDOM -> "Numerical argument out of domain";
      case ERANGE -> "Numerical result out of range";
      case ENAMETOOLONG -> "File name too long";
      case ENOSYS -> "Function not implemented";
      case ENOTEMPTY -> "Directory not empty";
      case ELOOP -> "Too many levels of symbolic links";
      case EPROTO -> "Protocol error";
      case EPROTOTYPE -> "Protocol wrong type for socket";
      case EBADMSG -> "Bad message";
      case EOVERFLOW -> "Value too large for defined data type";
      case EOPNOTSUPP -> "Operation not supported";
      case ENOPROTOOPT -> "Protocol not available";
      case EPROTONOSUPPORT -> "Protocol not supported";
      case ECONNREFUSED -> "Connection refused";
      case ETIMEDOUT -> "Connection timed out";
    };
  }

  /** What ip_tables means by {@code code} as the answer to {@code option}, when it says more. */
  public static Optional<String> meaning(Sockopt option, int code) {
    Optional<Errno> e = Errno.of(code);
    if (e.isEmpty()) {
      return Optional.empty();
    }
    String m =
        switch (e.get()) {
          case ENOENT ->
              switch (option) {
                case IPT_SO_GET_REVISION_MATCH -> "no such match";
                case IPT_SO_GET_REVISION_TARGET -> "no such target";
                case IPT_SO_SET_REPLACE ->
                    "no such table, or a match or target that does not exist";
                default -> "no such table";
              };
          case EPROTONOSUPPORT ->
              switch (option) {
                case IPT_SO_GET_REVISION_MATCH, IPT_SO_GET_REVISION_TARGET ->
                    "it exists, but not in this revision";
                default -> "a match or target revision that does not exist";
              };
          case EAGAIN ->
              switch (option) {
                case IPT_SO_GET_ENTRIES -> "the table changed size since GET_INFO";
                case IPT_SO_SET_REPLACE ->
                    "num_counters is not the table's current number of entries (it changed?)";
                default -> null;
              };
          case EINVAL ->
              switch (option) {
                case IPT_SO_SET_REPLACE ->
                    "the table blob is malformed (sizes, offsets, hooks, entries or extension data)";
                case IPT_SO_SET_ADD_COUNTERS ->
                    "num_counters is not the table's number of entries, or the length is wrong";
                default -> "the buffer has the wrong length for this option";
              };
          case ELOOP -> option == Sockopt.IPT_SO_SET_REPLACE ? "the chains jump in a loop" : null;
          case ENOMEM -> option == Sockopt.IPT_SO_SET_REPLACE ? "the table is too large" : null;
          case E2BIG -> "the value exceeds the umh's payload limit";
          case ENOPROTOOPT -> "the umh does not implement this option";
          case EPERM -> "not allowed (the daemon refused this caller)";
          default -> null;
        };
    return Optional.ofNullable(m);
  }

  /** "ENOENT (No such file or directory: no such table)": the name, strerror and meaning. */
  public static String describe(Sockopt option, int code) {
    return Errno.nameOf(Math.abs(code))
        + " ("
        + strerror(code)
        + meaning(option, Math.abs(code)).map(m -> ": " + m).orElse("")
        + ")";
  }
}

package bpfilterctl.core.inspect;

import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.Errno;
import java.util.Optional;

/**
 * What an errno means: its name and strerror text (from {@link Errno}), and what ip_tables means by
 * it for one IPT_SO_* option (as libiptc's iptc_strerror does), so that an admin reads the cause,
 * not just a number.
 */
public final class ErrnoText {
  private ErrnoText() {}

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
        + Errno.strerror(code)
        + meaning(option, Math.abs(code)).map(m -> ": " + m).orElse("")
        + ")";
  }
}

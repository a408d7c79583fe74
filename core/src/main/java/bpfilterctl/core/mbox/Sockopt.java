package bpfilterctl.core.mbox;

import java.util.Optional;

/**
 * The IPT_SO_* socket options that bpfilter forwards to the umh. Sets and gets share numbers, so an
 * option is its number and its direction.
 */
public enum Sockopt {
  HANDSHAKE(false, 0),
  IPT_SO_SET_REPLACE(true, 64),
  IPT_SO_SET_ADD_COUNTERS(true, 65),
  IPT_SO_GET_INFO(false, 64),
  IPT_SO_GET_ENTRIES(false, 65),
  IPT_SO_GET_REVISION_MATCH(false, 66),
  IPT_SO_GET_REVISION_TARGET(false, 67),
  /**
   * Ours, not the kernel's (which answers ENOPROTOOPT): the names of the tables that exist, each
   * ended by a newline, NUL-padded to the caller's buffer; /proc/net/ip_tables_names for a module
   * that has no /proc. iptables-save without -t reads it.
   */
  BPF_SO_GET_TABLE_NAMES(false, 1024),
  /**
   * Ours: the enforcement status as JSON text ({@code EnforcementStatus}), NUL-padded to the
   * caller's buffer (ERANGE if it is short).
   */
  BPF_SO_GET_ENFORCEMENT(false, 1025),
  /**
   * Ours, from the host only (it refuses it from callers): a u32, 1 turns enforcement of the filter
   * table on (the current table is compiled and attached), 0 turns it off (programs detached, pins
   * removed; the table stays). Answers 0 or -errno; GET_ENFORCEMENT says why.
   */
  BPF_SO_SET_ENFORCE(true, 1025),
  /**
   * Ours, from the host only: {@code unload} is under way. The umh removes its pins and detaches,
   * answers 0, and the host then closes the request pipe. An EOF without it (a host that died or
   * was stopped) leaves the enforced table in place for the next umh to adopt.
   */
  BPF_SO_SET_UNLOAD(true, 1026);

  /** Whether only the host may send this option (a caller's is refused with ENOPROTOOPT). */
  public boolean hostOnly() {
    return this == BPF_SO_SET_ENFORCE || this == BPF_SO_SET_UNLOAD;
  }

  private final boolean set;
  private final int cmd;

  Sockopt(boolean set, int cmd) {
    this.set = set;
    this.cmd = cmd;
  }

  public boolean isSet() {
    return set;
  }

  public int cmd() {
    return cmd;
  }

  public static Optional<Sockopt> of(boolean set, int cmd) {
    for (Sockopt o : values()) {
      if (o.set == set && o.cmd == cmd) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }

  /** A readable name for any (direction, cmd) pair, known or not. */
  public static String describe(boolean set, int cmd) {
    return of(set, cmd).map(Enum::name).orElse((set ? "set#" : "get#") + cmd);
  }
}

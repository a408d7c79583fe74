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
  BPF_SO_GET_TABLE_NAMES(false, 1024);

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

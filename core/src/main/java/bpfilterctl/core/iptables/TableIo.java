package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.RuleTable.Fn;
import bpfilterctl.core.iptables.RuleTable.TableError;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptGetEntries;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.XtCounters;
import java.util.ArrayList;
import java.util.List;

/**
 * libiptc's two conversations with the module: TC_INIT (GET_INFO, then GET_ENTRIES of that size,
 * again from the start when the table changed in between: EAGAIN) and TC_COMMIT (SET_REPLACE with
 * the compiled table, then SET_ADD_COUNTERS from the old counters it returned).
 */
public final class TableIo {
  private static final int MAX_INIT_ATTEMPTS = 100;

  /** How a GET_ENTRIES reply becomes entries; throws IllegalArgumentException when it cannot. */
  @FunctionalInterface
  public interface EntryDecoder {
    /** Every entry decoded afresh, as the reply's bytes say. */
    EntryDecoder FRESH = (table, reply) -> IptGetEntries.decode(reply).entryList();

    List<IptEntry> decode(String table, byte[] reply);

    /** The decode, and where its entries' bytes can be copied from for a commit (nowhere here). */
    default Decoded read(String table, byte[] reply) {
      return new Decoded(decode(table, reply), EntryBytes.NONE);
    }
  }

  /** A GET_ENTRIES reply's entries, and where their bytes are. */
  public record Decoded(List<IptEntry> entries, EntryBytes bytes) {}

  private TableIo() {}

  /** TC_INIT. */
  public static RuleTable init(Sockopts port, String table) throws TableError, ModuleException {
    return init(port, table, EntryDecoder.FRESH);
  }

  /** TC_INIT, the reply's entries decoded by {@code decoder}. */
  public static RuleTable init(Sockopts port, String table, EntryDecoder decoder)
      throws TableError, ModuleException {
    if (table.length() >= Abi.TABLE_NAME_LEN) {
      throw new TableError(Fn.INIT, Errno.EINVAL.code());
    }
    for (int attempt = 0; ; attempt++) {
      IptGetinfo info;
      try {
        info =
            IptGetinfo.decode(port.get(Sockopt.IPT_SO_GET_INFO.cmd(), IptGetinfo.request(table)));
      } catch (Sockopts.SockoptError e) {
        throw new TableError(Fn.INIT, e.errno());
      }
      try {
        byte[] got =
            port.get(Sockopt.IPT_SO_GET_ENTRIES.cmd(), IptGetEntries.request(table, info.size()));
        Decoded d = decoder.read(table, got);
        return RuleTable.parse(info, d.entries(), d.bytes());
      } catch (Sockopts.SockoptError e) {
        if (e.errno() != Errno.EAGAIN.code() || attempt >= MAX_INIT_ATTEMPTS) {
          throw new TableError(Fn.INIT, e.errno());
        }
      } catch (IllegalArgumentException e) {
        throw new TableError(Fn.INIT, Errno.EINVAL.code());
      }
    }
  }

  private static boolean allZero(byte[] countersInfo) {
    for (int i = bpfilterctl.core.uapi.XtCountersInfo.HEADER_SIZE; i < countersInfo.length; i++) {
      if (countersInfo[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * TC_INIT as iptables, iptables-save and iptables-restore call it: once more after a failure
   * (they try to modprobe the table's module in between), which a recording shows as two GET_INFOs.
   */
  public static RuleTable initTwice(Sockopts port, String table)
      throws TableError, ModuleException {
    return initTwice(port, table, EntryDecoder.FRESH);
  }

  /** {@link #initTwice(Sockopts, String)}, the entries decoded by {@code decoder}. */
  public static RuleTable initTwice(Sockopts port, String table, EntryDecoder decoder)
      throws TableError, ModuleException {
    try {
      return init(port, table, decoder);
    } catch (TableError first) {
      return init(port, table, decoder);
    }
  }

  /** TC_COMMIT: nothing when nothing changed. */
  public static void commit(Sockopts port, RuleTable t) throws TableError, ModuleException {
    if (!t.changed()) {
      return;
    }
    RuleTable.Compiled c = t.compile();
    byte[] old;
    try {
      old = port.set(Sockopt.IPT_SO_SET_REPLACE.cmd(), c.replace());
    } catch (Sockopts.SockoptError e) {
      throw new TableError(Fn.COMMIT, e.errno());
    }
    List<XtCounters> counters = new ArrayList<>(old.length / XtCounters.SIZE);
    var b = Abi.wrap(old);
    for (int at = 0; at + XtCounters.SIZE <= old.length; at += XtCounters.SIZE) {
      counters.add(XtCounters.decode(b, at));
    }
    byte[] add = c.addCounters(counters);
    try {
      port.set(Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd(), add);
    } catch (Sockopts.SockoptError e) {
      // The replace is in. When another writer replaced the table in between, the module refuses
      // the counters (their number no longer fits); if there was nothing to add, nothing is lost.
      if (!allZero(add)) {
        throw new TableError(Fn.COMMIT, e.errno());
      }
    }
  }
}

package bpfilterctl.core.module;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The running umh's last successful answer to GET_INFO and to GET_ENTRIES, per table, so that a
 * request the umh answers alike is answered without the umh, and only while that answer is provably
 * what the umh would give now. Why it is:
 *
 * <ul>
 *   <li>Only a set (SET_REPLACE, SET_ADD_COUNTERS, whatever its outcome), another umh (start,
 *       restart, death, unload) and enforce on/off change what the umh answers. The host calls
 *       {@link #forget} for each, under its lock, before the umh sees it; an answer is kept only
 *       when no forget came between its request and its reply ({@link #epoch}). A GET_INFO of a
 *       table not used yet makes the umh create it (LiveTables.find), with the contents it then
 *       answers: the same answer every time.
 *   <li>GET_INFO's answer is a function of the table's name alone (TableEngine.getInfo, as
 *       ip_tables' get_info: an 84-byte buffer, the name up to its NUL, name[31] ignored, the
 *       answer built afresh), so it is matched by name and length: libiptc's request carries stack
 *       garbage after the name, other in every process. GET_ENTRIES returns the caller's buffer
 *       with the table written over it (bytes it does not write, such as the head and the tail of
 *       an extension's name, keep the caller's), so it is matched by all its bytes.
 *   <li>GET_ENTRIES carries the entries' counters. Without enforcement they are what
 *       SET_ADD_COUNTERS added (Table.pcnt and bcnt): only a set moves them. An enforcing umh adds
 *       the traffic the filter table's BPF programs counted (Table.counters reads
 *       Enforcement.traffic, the programs' per-entry maps), which moves with every packet: while
 *       enforcement is asked for, GET_ENTRIES is neither kept nor answered from here. GET_INFO
 *       carries no counters (Table.info: hooks, entry count, size), and enforcement changes none of
 *       it, so it is kept then too.
 * </ul>
 *
 * <p>Bounded: an answer is kept only for a success, which exists only for a table the umh has (five
 * at most), one per table and command; a 50k-rule table's entries are ~10 MB, its request as much.
 * All of it goes at {@link #forget}.
 */
final class RememberedReads {
  /** ipt_getinfo and ipt_get_entries start with the table's name, 32 bytes, name[31] ignored. */
  private static final int NAME_BYTES = 31;

  private record Key(int cmd, String table) {}

  /**
   * An answer of umh {@code from} (its UmhProcess: only its identity counts) at {@code epoch} to a
   * request whose payload was {@code asked}.
   */
  record Answer(Object from, long epoch, byte[] asked, MboxReply reply) {}

  private final Map<Key, Answer> answers = new ConcurrentHashMap<>();

  /** Moves at every forget: written under the host's lock only, read anywhere. */
  private volatile long epoch;

  /** Whether requests of this option are remembered at all. */
  static boolean isTableRead(boolean isSet, int cmd) {
    return !isSet
        && (cmd == Sockopt.IPT_SO_GET_INFO.cmd() || cmd == Sockopt.IPT_SO_GET_ENTRIES.cmd());
  }

  private static boolean byNameAlone(int cmd) {
    return cmd == Sockopt.IPT_SO_GET_INFO.cmd();
  }

  private static boolean carriesCounters(int cmd) {
    return cmd == Sockopt.IPT_SO_GET_ENTRIES.cmd();
  }

  long epoch() {
    return epoch;
  }

  /** Under the host's lock, before what changes the umh's answers reaches it. */
  void forget() {
    epoch++;
    answers.clear();
  }

  /**
   * Under the host's lock: keeps {@code reply}, the answer of {@code from} to {@code request} sent
   * when the epoch was {@code sentAt}, when it may be given again.
   */
  void remember(MboxRequest request, MboxReply reply, Object from, long sentAt, boolean enforcing) {
    if (!isTableRead(request.isSet(), request.cmd())
        || from == null
        || reply.status() < 0 // errors go to the umh each time: nothing to gain, nothing to keep
        || sentAt != epoch
        || (enforcing && carriesCounters(request.cmd()))
        || request.payload().length <= NAME_BYTES) {
      return;
    }
    byte[] p = request.payload();
    answers.put(new Key(request.cmd(), name(p, 0)), new Answer(from, sentAt, p, reply));
  }

  /**
   * The answer of {@code current} to a request of option {@code cmd} whose payload is {@code
   * buf[off, off + len)}, when one is kept for a request the umh answers alike (GET_INFO: the same
   * name and length; GET_ENTRIES: the same bytes) and nothing changed since; else null. No lock,
   * nothing that blocks: the daemon's I/O thread asks.
   */
  Answer recall(int cmd, byte[] buf, int off, int len, Object current, boolean enforcing) {
    if (!isTableRead(false, cmd) || len <= NAME_BYTES || (enforcing && carriesCounters(cmd))) {
      return null;
    }
    Answer a = answers.get(new Key(cmd, name(buf, off)));
    if (a == null
        || a.from() != current
        || a.epoch() != epoch
        || (byNameAlone(cmd)
            ? len != a.asked().length
            : !Arrays.equals(buf, off, off + len, a.asked(), 0, a.asked().length))) {
      return null;
    }
    return a;
  }

  /** The table name as the umh reads it: up to the first NUL, at most 31 bytes. */
  private static String name(byte[] b, int off) {
    int n = 0;
    while (n < NAME_BYTES && b[off + n] != 0) {
      n++;
    }
    return new String(b, off, n, StandardCharsets.ISO_8859_1);
  }
}

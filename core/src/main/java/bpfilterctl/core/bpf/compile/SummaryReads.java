package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtTcp;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;

/**
 * The optional parts of the packet summary that the entries one hook's program can reach read: its
 * prologue fills only those, so a packet pays only for what the rules it may meet test. (The
 * addresses, protocol, fragment offset, transport fields and status, skb->len and the pointers are
 * always filled: the rules and counters of every table read them.)
 */
record SummaryReads(Set<Part> parts) {
  enum Part {
    /** The in and out device names: an interface test, or LOG (its line names both). */
    DEVICES,
    /** skb->_nfct and the nf_conn's status: a conntrack or state match. */
    CONNTRACK,
    MARK,
    PKTTYPE,
    TTL,
    /** The tos byte: tos and dscp. */
    TOS,
    /** skb_ip_totlen: length. */
    TOTLEN,
    /** TCP byte 12 and TcpOptionScan's walk: tcp --tcp-option. */
    TCP_OPTIONS
  }

  SummaryReads {
    parts = Set.copyOf(parts);
  }

  boolean has(Part p) {
    return parts.contains(p);
  }

  /**
   * What the entries reachable from {@code hook} read: its entry and underflow, each walked in
   * order until an entry that always matches and never goes on (as HookCompiler walks), and every
   * jump target met on the way. An entry of a lookup run is looked at too (such entries read none
   * of the optional parts).
   */
  static SummaryReads of(FilterTable table, int hook) {
    EnumSet<Part> parts = EnumSet.noneOf(Part.class);
    BitSet seen = new BitSet(table.size());
    Deque<Integer> starts = new ArrayDeque<>();
    starts.add(table.hookEntry(hook));
    starts.add(table.underflow(hook));
    while (!starts.isEmpty()) {
      for (int i = starts.poll(); i < table.size() && !seen.get(i); i++) {
        seen.set(i);
        IptEntry en = table.entry(i);
        add(en, parts);
        if (en.target().isStandard() && Verdict.isJump(en.target().verdict())) {
          starts.add(table.indexAt(en.target().verdict()));
        }
        if (EntryTests.alwaysMatches(en) && !HookCompiler.goesOn(table, en, i)) {
          break;
        }
      }
    }
    return new SummaryReads(parts);
  }

  private static void add(IptEntry en, Set<Part> parts) {
    if (nonZero(en.ip().inifaceMask()) || nonZero(en.ip().outifaceMask())) {
      parts.add(Part.DEVICES);
    }
    if (en.target().name().equals("LOG")) {
      parts.add(Part.DEVICES);
    }
    for (XtEntryMatch m : en.matches()) {
      switch (m.name()) {
        case "mark" -> parts.add(Part.MARK);
        case "pkttype" -> parts.add(Part.PKTTYPE);
        case "ttl" -> parts.add(Part.TTL);
        case "tos", "dscp" -> parts.add(Part.TOS);
        case "length" -> parts.add(Part.TOTLEN);
        case "tcp" -> {
          if (XtTcp.decode(Abi.wrap(m.data())).option() != 0) {
            parts.add(Part.TCP_OPTIONS);
          }
        }
        default -> {
          if (ConntrackTests.handles(m)) {
            parts.add(Part.CONNTRACK);
          }
        }
      }
    }
  }

  private static boolean nonZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return true;
      }
    }
    return false;
  }
}

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
import java.util.List;
import java.util.Set;

/**
 * The optional parts of the packet summary that the entries one hook's program can reach read: its
 * prologue fills only those, so a packet pays only for what the rules it may meet test. (The
 * addresses, protocol, fragment offset, transport fields and status and skb->len are always filled:
 * the rules and counters of every table read them.)
 */
record SummaryReads(Set<Part> parts) {
  enum Part {
    /** The in device's name: an -i test, or LOG (its line names both devices). */
    IN_DEVICE,
    /** The out device's name: an -o test, or LOG. */
    OUT_DEVICE,
    /** The sk_buff pointer: owner, recent, and ReplyConntrack at LOCAL_OUT. */
    SKB,
    /** The nf_hook_state pointer: owner, addrtype, recent. */
    STATE,
    /** The program's ctx: REJECT and LOG. */
    CTX,
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
   * False for a slot of a part the prologue leaves unwritten: a test that loads it was compiled
   * without its part here (the verifier would let the program read stale stack as root).
   */
  boolean fills(int slot) {
    Part p = partOf(slot);
    return p == null || has(p);
  }

  private static Part partOf(int slot) {
    if (slot >= PacketSummary.IN && slot < PacketSummary.IN + 16) {
      return Part.IN_DEVICE;
    }
    if (slot >= PacketSummary.OUT && slot < PacketSummary.OUT + 16) {
      return Part.OUT_DEVICE;
    }
    if (slot >= PacketSummary.TCPHDR12 && slot < PacketSummary.SKB) {
      return Part.TCP_OPTIONS; // byte 12, the hotdrop flag and the bit set
    }
    return switch (slot) {
      case PacketSummary.TTL -> Part.TTL;
      case PacketSummary.TOS -> Part.TOS;
      case PacketSummary.TOTLEN -> Part.TOTLEN;
      case PacketSummary.MARK -> Part.MARK;
      case PacketSummary.PKTTYPE -> Part.PKTTYPE;
      case PacketSummary.SKB -> Part.SKB;
      case PacketSummary.STATE -> Part.STATE;
      case PacketSummary.CTX -> Part.CTX;
      case PacketSummary.NFCT, PacketSummary.CT_STATUS -> Part.CONNTRACK;
      default -> null;
    };
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
    boolean rejects = false;
    starts.add(table.hookEntry(hook));
    starts.add(table.underflow(hook));
    while (!starts.isEmpty()) {
      for (int i = starts.poll(); i < table.size() && !seen.get(i); i++) {
        seen.set(i);
        IptEntry en = table.entry(i);
        add(en, parts);
        rejects |= TargetReport.handles(en.target()) && TargetReport.terminal(en.target());
        if (en.target().isStandard() && Verdict.isJump(en.target().verdict())) {
          starts.add(table.indexAt(en.target().verdict()));
        }
        if (EntryTests.alwaysMatches(en) && !HookCompiler.goesOn(table, en, i)) {
          break;
        }
      }
    }
    if (ReplyConntrack.relates(table)) {
      if (rejects) {
        parts.add(Part.CONNTRACK); // a REJECT's record carries the rejected packet's conntrack
      }
      if (ReplyConntrack.needed(table, hook)) {
        parts.addAll(List.of(Part.SKB, Part.CONNTRACK));
      }
    }
    return new SummaryReads(parts);
  }

  private static void add(IptEntry en, Set<Part> parts) {
    if (nonZero(en.ip().inifaceMask())) {
      parts.add(Part.IN_DEVICE);
    }
    if (nonZero(en.ip().outifaceMask())) {
      parts.add(Part.OUT_DEVICE);
    }
    if (TargetReport.handles(en.target())) {
      parts.add(Part.CTX);
      if (!TargetReport.terminal(en.target())) { // LOG
        parts.add(Part.IN_DEVICE);
        parts.add(Part.OUT_DEVICE);
      }
    }
    for (XtEntryMatch m : en.matches()) {
      switch (m.name()) {
        case "mark" -> parts.add(Part.MARK);
        case "pkttype" -> parts.add(Part.PKTTYPE);
        case "ttl" -> parts.add(Part.TTL);
        case "tos", "dscp" -> parts.add(Part.TOS);
        case "length" -> parts.add(Part.TOTLEN);
        case "owner" -> parts.addAll(List.of(Part.SKB, Part.STATE));
        case "addrtype" -> parts.add(Part.STATE);
        // every record keeps the ttl recent_mt saw (plus one before forwarding: the socket's netns)
        case "recent" -> parts.addAll(List.of(Part.TTL, Part.SKB, Part.STATE));
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

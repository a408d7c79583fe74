package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R3;
import static bpfilterctl.core.bpf.insn.Emitter.R4;
import static bpfilterctl.core.bpf.insn.Emitter.R5;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The conntrack of REJECT's replies, as the kernel gives it: nf_send_reset, and nf_send_unreach
 * through icmp_send (icmp_glue_bits), attach the rejected packet's nf_conn to the reply
 * (nf_ct_attach, nf_conntrack_attach) with ctinfo IP_CT_RELATED_REPLY when the rejected packet went
 * in the original direction, else IP_CT_RELATED; a packet without an nf_conn attaches nothing and
 * the reply is tracked on its own. The entry is the rejected packet's own: --ctstatus sees its
 * status (nothing of EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED for a new connection's first packet,
 * which REJECT dropped before it was confirmed), and the reply never confirms it (a reply-direction
 * ctinfo, or a confirmed entry).
 *
 * <p>The umh's replies leave from its raw socket without it: conntrack tracks them as packets of
 * their own (INVALID: nothing it knows relates to them). So before each reply the umh writes into a
 * one-slot array map its socket's cookie (SO_COOKIE), the _nfct the program is to read for the
 * reply ({@code ctinfo | 8}: an nf_conn; 0: none, conntrack's own view stays) and the rejected
 * entry's status, as the rejecting program read them ({@link TargetEvent#conntrack()}). The send
 * runs LOCAL_OUT in the umh's syscall, so the slot still describes that reply there. The LOCAL_OUT
 * program of a table with conntrack matches, after its prologue, takes them into the summary when
 * skb->sk is that socket (its cookie read through bpf_rdonly_cast's pointer: no socket reads 0,
 * never a cookie).
 */
public final class ReplyConntrack {
  /** The map's value: u64 cookie, u64 _nfct for the program, u64 status. */
  public static final int VALUE_SIZE = 24;

  static final int OFF_COOKIE = 0;
  static final int OFF_NFCT = 8;
  static final int OFF_STATUS = 16;

  /** NF_INET_LOCAL_OUT: where the umh's replies pass the filter table. */
  static final int LOCAL_OUT = 3;

  /** enum ip_conntrack_info. */
  static final int IP_CT_RELATED = 1;

  static final int IP_CT_RELATED_REPLY = 4;

  private ReplyConntrack() {}

  /**
   * The map's value for a reply to {@code rejected} sent from the socket with {@code cookie}:
   * nf_conntrack_attach's ctinfo and the entry's status, or no relation when the rejected packet
   * had no nf_conn.
   */
  public static byte[] value(long cookie, TargetEvent rejected) {
    ByteBuffer b = ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(OFF_COOKIE, cookie);
    int ct = rejected.conntrack();
    if ((ct & TargetEvent.HAS_CONNTRACK) != 0) {
      boolean original = (ct & 7) < ConntrackTests.IP_CT_IS_REPLY; // CTINFO2DIR
      b.putLong(
          OFF_NFCT, TargetEvent.HAS_CONNTRACK | (original ? IP_CT_RELATED_REPLY : IP_CT_RELATED));
      b.putLong(OFF_STATUS, rejected.ctStatus());
    }
    return b.array();
  }

  /** The value that relates nothing (a socket's first, before any reply). */
  public static byte[] none(long cookie) {
    return ByteBuffer.allocate(VALUE_SIZE)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putLong(OFF_COOKIE, cookie)
        .array();
  }

  /**
   * Whether {@code hook}'s program of {@code table} must recognise the umh's replies: LOCAL_OUT of
   * a table with REJECT whose conntrack matches could see them. Its prologue then fills the skb
   * pointer and the conntrack slots ({@link SummaryReads}).
   */
  static boolean needed(FilterTable table, int hook) {
    return hook == LOCAL_OUT && relates(table);
  }

  /**
   * Whether REJECT's records carry the rejected packet's conntrack: only a table with conntrack
   * matches can tell a related reply from another.
   */
  static boolean relates(FilterTable table) {
    if (!ConntrackTests.usedBy(table)) {
      return false;
    }
    for (int i = 0; i < table.size(); i++) {
      XtEntryTarget t = table.entry(i).target();
      if (TargetReport.handles(t) && TargetReport.terminal(t)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code hook}'s program of {@code table} recognises the umh's replies. */
  static boolean used(FilterTable table, int hook, TargetMaps maps) {
    return needed(table, hook) && maps != null && maps.replyFd() >= 0;
  }

  /**
   * After the prologue (r9 the summary; clobbers r0-r5): for a packet of the socket whose cookie is
   * in the map, with a relation there, NFCT and CT_STATUS become the map's. Without branching, as
   * the prologue (the verifier learns nothing of the slots).
   */
  static void emit(Emitter e, TargetMaps maps) {
    TargetLayout k = maps.layout();
    // skb->sk may be NULL: typed by bpf_rdonly_cast, an untrusted pointer whose NULL reads 0
    e.ldx(Insn.DW, R1, R9, PacketSummary.SKB).ldx(Insn.DW, R1, R1, k.skbSk());
    e.mov(R2, k.sock()).callKfunc(k.rdonlyCast());
    e.ldx(Insn.DW, R1, R0, k.skCookie());
    e.ldMapValue(R2, maps.replyFd(), 0);
    e.ldx(Insn.DW, R3, R2, OFF_COOKIE);
    e.ldx(Insn.DW, R4, R2, OFF_NFCT);
    e.ldx(Insn.DW, R5, R2, OFF_STATUS);
    e.aluReg(Insn.XOR, R1, R3);
    nonZero(e, R0, R1).alu(Insn.XOR, R0, 1); // r0: the cookies are equal
    nonZero(e, R1, R3).aluReg(Insn.AND, R0, R1); // and the map holds one
    nonZero(e, R1, R4).aluReg(Insn.AND, R0, R1); // and a relation
    e.mov(R1, 0).aluReg(Insn.SUB, R1, R0); // all ones when taken
    for (int[] slot : new int[][] {{PacketSummary.NFCT, R4}, {PacketSummary.CT_STATUS, R5}}) {
      e.ldx(Insn.DW, R2, R9, slot[0]);
      e.aluReg(Insn.XOR, slot[1], R2).aluReg(Insn.AND, slot[1], R1).aluReg(Insn.XOR, R2, slot[1]);
      e.stx(Insn.DW, R9, slot[0], R2);
    }
  }

  /** dst = 1 when src is non-zero, else 0: (src | -src) >> 63. */
  private static Emitter nonZero(Emitter e, int dst, int src) {
    return e.mov(dst, 0)
        .aluReg(Insn.SUB, dst, src)
        .aluReg(Insn.OR, dst, src)
        .alu(Insn.RSH, dst, 63);
  }
}

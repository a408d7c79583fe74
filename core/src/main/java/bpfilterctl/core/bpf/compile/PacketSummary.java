package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R3;
import static bpfilterctl.core.bpf.insn.Emitter.R4;
import static bpfilterctl.core.bpf.insn.Emitter.R6;
import static bpfilterctl.core.bpf.insn.Emitter.R7;
import static bpfilterctl.core.bpf.insn.Emitter.R8;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;

/**
 * What every rule reads of a packet, gathered once by the program's prologue into the main frame's
 * stack, where r9 points in every function. u32 slots are compared with 32-bit jumps; addresses
 * stay in network byte order (as loaded from the packet), ports and codes in host order.
 *
 * <p>L4P is the packet's protocol with, in bits 8-9, whether its transport header can be examined
 * as ip_tables' tcp/udp/icmp matches do: 0 yes, 1 no (a fragment: the match is false), 2 the match
 * hotdrops (a TCP fragment at offset 1, or a header cut short).
 */
final class PacketSummary {
  static final int SADDR = 0;
  static final int DADDR = 4;
  static final int PROTO = 8;
  static final int FRAG = 12;
  static final int L4P = 16;
  static final int SPORT = 20;
  static final int DPORT = 24;
  static final int ITYPE = 28;
  static final int ICODE = 32;
  static final int TCPFLAGS = 36;
  static final int LEN = 40;
  static final int THOFF = 44;
  static final int IN = 48;
  static final int OUT = 64;
  // IPv4 header fields: ttl, tos, total length (skb_ip_totlen: skb->len when tot_len is 0).
  static final int TTL = 80;
  static final int TOS = 84;
  static final int TOTLEN = 88;
  static final int MARK = 92;

  /** skb->pkt_type, before xt_pkttype's PACKET_LOOPBACK case. */
  static final int PKTTYPE = 96;

  /** Byte 12 of a readable 20-byte TCP header (doff in its high nibble). */
  static final int TCPHDR12 = 100;

  /** TcpOptionScan's results: non-zero when tcp_mt would hotdrop on options, then 256 bits. */
  static final int OPT_HOTDROP = 104;

  static final int OPT_BITS = 112;

  /** The packet's sk_buff and nf_hook_state pointers, spilled (8 bytes each). */
  static final int SKB = 144;

  static final int STATE = 152;

  /** The program's ctx (a u64 pointer), for what REJECT and LOG read of the skb. */
  static final int CTX = 160;

  /** skb->_nfct (u64), with a conntrack or state match only. */
  static final int NFCT = 168;

  /** The attached nf_conn's status (u64), zero without one; with NFCT. */
  static final int CT_STATUS = 176;

  static final int SIZE = 184;

  static final int STATUS_OK = 0;
  static final int STATUS_FRAGMENT = 1;
  static final int STATUS_HOTDROP = 2;

  /** Each frame's counter key slot (a u32) is at r10-8. */
  static final int KEY = -8;

  /** Main frame: the dynptr, then a slice buffer, then the summary. */
  static final int DYNPTR = -24;

  private static final int BUF = -48;

  /** TcpOptionScan's buffer (64 bytes, over the slice buffer, which is free by then). */
  static final int OPT_BUF = -88;

  static final int BASE = OPT_BUF - SIZE;
  static final int MAIN_STACK = -BASE;

  /**
   * Where every function builds a lookup key (24 bytes), from r9: the main frame's slice buffer,
   * free once the prologue is done. (In the chain functions' own frames it would grow each of them
   * to 64 bytes, and eight frames could pass the 512-byte stack limit.)
   */
  static final int LOOKUP_KEY = BUF - BASE;

  private static final int IPPROTO_TCP = 6;

  private PacketSummary() {}

  /**
   * Fills the summary from ctx (in r1) and leaves r9 pointing at it. A packet without a readable
   * IPv4 header (the kernel never hands one to these hooks) is accepted untouched.
   *
   * <p>The verifier must not learn any slot's value on any path: a rule whose later test it knew to
   * fail would send its path on to the next rule with a branch left pending at each rule, and
   * thousands of rules would exceed its 8192 pending branches. So the prologue branches only on
   * copies unlinked from what it stores (an XOR clears the verifier's register link), fills the
   * slots a path has no value for with Z, a zero it cannot see through (two loads of the same
   * packet bytes XORed), and XORs the transport status with Z.
   *
   * <p>It fills only what the rules of this hook's program read ({@code reads}): mark, pkt_type,
   * ttl, tos, total length, TCP byte 12, the devices and conntrack's slots are read from the packet
   * only when some rule reachable from the hook tests them. The summary is not cleared first: every
   * slot a rule or target reads is written on every path to the rules, and the others are never
   * read (TcpOptionScan clears its bit set itself).
   */
  static void emitPrologue(Emitter e, KernelLayout k, SummaryReads reads) {
    boolean tcpByte12 = reads.has(SummaryReads.Part.TCP_OPTIONS);
    Label accept = e.label("no_ip_header");
    e.ldx(Insn.DW, R6, R1, 0); // ctx->state
    e.ldx(Insn.DW, R7, R1, 8); // ctx->skb
    e.movReg(R9, R10).alu(Insn.ADD, R9, BASE);
    if (reads.has(SummaryReads.Part.CTX)) {
      e.stx(Insn.DW, R9, CTX, R1);
    }
    e.ldx(Insn.W, R1, R7, k.skbLen()).stx(Insn.W, R9, LEN, R1);
    if (reads.has(SummaryReads.Part.SKB)) {
      e.stx(Insn.DW, R9, SKB, R7);
    }
    if (reads.has(SummaryReads.Part.STATE)) {
      e.stx(Insn.DW, R9, STATE, R6);
    }
    if (reads.has(SummaryReads.Part.MARK)) {
      e.ldx(Insn.W, R1, R7, k.skbMark()).stx(Insn.W, R9, MARK, R1);
    }
    if (reads.has(SummaryReads.Part.PKTTYPE)) {
      e.ldx(Insn.B, R1, R7, k.skbPktType() / 8).alu(Insn.RSH, R1, k.skbPktType() % 8);
      e.alu(Insn.AND, R1, 7).stx(Insn.W, R9, PKTTYPE, R1);
    }
    if (reads.has(SummaryReads.Part.CONNTRACK)) {
      conntrack(e, k.conntrack().orElseThrow());
    }
    e.movReg(R1, R7).mov(R2, 0).movReg(R3, R10).alu(Insn.ADD, R3, DYNPTR);
    e.callKfunc(k.dynptrFromSkb());
    e.jmp(Insn.JNE, R0, 0, accept);
    slice(e, k, e0 -> e0.mov(R2, 0), 20);
    e.jmp(Insn.JEQ, R0, 0, accept);
    e.ldx(Insn.W, R1, R0, 12).stx(Insn.W, R9, SADDR, R1);
    e.ldx(Insn.W, R7, R0, 12).aluReg(Insn.XOR, R7, R1); // r7 = Z
    e.ldx(Insn.W, R1, R0, 16).stx(Insn.W, R9, DADDR, R1);
    e.ldx(Insn.B, R8, R0, 9).stx(Insn.W, R9, PROTO, R8);
    e.ldx(Insn.B, R1, R0, 0).alu(Insn.AND, R1, 0x0f).alu(Insn.LSH, R1, 2);
    e.stx(Insn.W, R9, THOFF, R1);
    e.ldx(Insn.H, R1, R0, 6).toBe(R1, 16).alu(Insn.AND, R1, 0x1fff).stx(Insn.W, R9, FRAG, R1);
    if (reads.has(SummaryReads.Part.TTL)) {
      e.ldx(Insn.B, R1, R0, 8).stx(Insn.W, R9, TTL, R1);
    }
    if (reads.has(SummaryReads.Part.TOS)) {
      e.ldx(Insn.B, R1, R0, 1).stx(Insn.W, R9, TOS, R1);
    }
    if (reads.has(SummaryReads.Part.TOTLEN)) {
      // tot_len, or skb->len for a GSO packet past 64k (its tot_len is 0): branch-free select
      e.ldx(Insn.H, R1, R0, 2).toBe(R1, 16).movReg(R2, R1).alu(Insn.ADD, R2, -1);
      e.alu(Insn.RSH, R2, 63).mov(R3, 0).aluReg(Insn.SUB, R3, R2);
      e.ldx(Insn.W, R2, R9, LEN).aluReg(Insn.AND, R2, R3).aluReg(Insn.OR, R1, R2);
      e.stx(Insn.W, R9, TOTLEN, R1);
    }
    boolean in = reads.has(SummaryReads.Part.IN_DEVICE);
    boolean out = reads.has(SummaryReads.Part.OUT_DEVICE);
    if (in || out) {
      e.movReg(R3, R7).alu(Insn.LSH, R3, 32).aluReg(Insn.OR, R3, R7); // 64-bit Z
    }
    if (in) {
      device(e, k.stateIn(), k.devName(), IN);
    }
    if (out) {
      device(e, k.stateOut(), k.devName(), OUT);
    }
    e.ldx(Insn.W, R6, R9, THOFF);

    Label notFragment = e.label("not_fragment");
    Label setStatus = e.label("set_status");
    Label short20 = e.label("short_header");
    Label truncated = e.label("truncated");
    Label noHeader = e.label("no_transport_header");
    // r1 = fragoff ^ 0x1fff and r3 = proto ^ 6: unlinked copies to branch on
    e.ldx(Insn.W, R1, R9, FRAG).alu(Insn.XOR, R1, 0x1fff);
    e.movReg(R3, R8).alu(Insn.XOR, R3, IPPROTO_TCP);
    e.jmp(Insn.JEQ, R1, 0x1fff, notFragment);
    e.mov(R2, STATUS_FRAGMENT);
    e.jmp(Insn.JNE, R3, 0, noHeader);
    e.jmp(Insn.JNE, R1, 0x1fff ^ 1, noHeader);
    e.mov(R2, STATUS_HOTDROP).ja(noHeader);

    e.bind(notFragment);
    slice(e, k, e0 -> e0.movReg(R2, R6), 20);
    e.jmp(Insn.JEQ, R0, 0, short20);
    e.ldx(Insn.B, R1, R0, 13).stx(Insn.W, R9, TCPFLAGS, R1);
    if (tcpByte12) {
      e.ldx(Insn.B, R1, R0, 12).stx(Insn.W, R9, TCPHDR12, R1);
    }
    transport(e);
    e.mov(R2, STATUS_OK).ja(setStatus);

    e.bind(short20);
    slice(e, k, e0 -> e0.movReg(R2, R6), 8);
    e.jmp(Insn.JEQ, R0, 0, truncated);
    transport(e);
    zTcp(e, tcpByte12);
    e.mov(R2, STATUS_OK);
    e.movReg(R3, R8).alu(Insn.XOR, R3, IPPROTO_TCP);
    e.jmp(Insn.JNE, R3, 0, setStatus);
    e.mov(R2, STATUS_HOTDROP).ja(setStatus);
    e.bind(truncated); // xt_multiport still reads the ports from 4 bytes
    Label under4 = e.label("under_4_bytes");
    slice(e, k, e0 -> e0.movReg(R2, R6), 4);
    e.jmp(Insn.JEQ, R0, 0, under4);
    transport(e);
    zTcp(e, tcpByte12);
    e.mov(R2, STATUS_HOTDROP).ja(setStatus);
    e.bind(under4);
    e.mov(R2, STATUS_HOTDROP);

    e.bind(noHeader); // no transport fields: Z in their slots (never examined at run time)
    for (int slot : new int[] {SPORT, DPORT, ITYPE, ICODE}) {
      e.stx(Insn.W, R9, slot, R7);
    }
    zTcp(e, tcpByte12);
    e.bind(setStatus);
    e.alu(Insn.LSH, R2, 8).aluReg(Insn.OR, R2, R8).aluReg(Insn.XOR, R2, R7);
    e.stx(Insn.W, R9, L4P, R2);
    Label body = e.label("body");
    e.ja(body);
    e.bind(accept);
    e.mov(R0, 1).exit();
    e.bind(body);
  }

  /** Z (r7) in the TCP flags slot, and in byte 12's when the options are walked. */
  private static void zTcp(Emitter e, boolean tcpByte12) {
    e.stx(Insn.W, R9, TCPFLAGS, R7);
    if (tcpByte12) {
      e.stx(Insn.W, R9, TCPHDR12, R7);
    }
  }

  /**
   * The name of {@code state->in} or {@code ->out} as two u64 words; when there is none, the 64-bit
   * Z in r3 (zeros at run time, as ip_tables compares a missing device).
   */
  private static void device(Emitter e, int stateField, int nameOff, int slot) {
    Label none = e.label("no_device");
    Label done = e.label("device_done");
    e.ldx(Insn.DW, R1, R6, stateField);
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.DW, R2, R1, nameOff).stx(Insn.DW, R9, slot, R2);
    e.ldx(Insn.DW, R2, R1, nameOff + 8).stx(Insn.DW, R9, slot + 8, R2);
    e.ja(done);
    e.bind(none);
    e.stx(Insn.DW, R9, slot, R3).stx(Insn.DW, R9, slot + 8, R3);
    e.bind(done);
  }

  /**
   * skb->_nfct from skb (r7), and the status of the nf_conn it points to, read through
   * bpf_rdonly_cast's untrusted pointer: the load of a NULL nf_conn's status faults and reads 0.
   */
  private static void conntrack(Emitter e, ConntrackLayout c) {
    e.ldx(Insn.DW, R1, R7, c.skbNfct()).stx(Insn.DW, R9, NFCT, R1);
    e.alu(Insn.AND, R1, -8).mov(R2, c.nfConn()).callKfunc(c.rdonlyCast());
    e.ldx(Insn.DW, R1, R0, c.ctStatus()).stx(Insn.DW, R9, CT_STATUS, R1);
  }

  /** r0 = bpf_dynptr_slice(&dynptr, offset (set by {@code offset} into r2), buf, size). */
  private static void slice(
      Emitter e, KernelLayout k, java.util.function.Consumer<Emitter> offset, int size) {
    e.movReg(R1, R10).alu(Insn.ADD, R1, DYNPTR);
    offset.accept(e);
    e.movReg(R3, R10).alu(Insn.ADD, R3, BUF).mov(R4, size);
    e.callKfunc(k.dynptrSlice());
  }

  /** Ports (tcp, udp) and type/code (icmp) from the first bytes of the header at r0. */
  private static void transport(Emitter e) {
    e.ldx(Insn.H, R1, R0, 0).toBe(R1, 16).stx(Insn.W, R9, SPORT, R1);
    e.ldx(Insn.H, R1, R0, 2).toBe(R1, 16).stx(Insn.W, R9, DPORT, R1);
    e.ldx(Insn.B, R1, R0, 0).stx(Insn.W, R9, ITYPE, R1);
    e.ldx(Insn.B, R1, R0, 1).stx(Insn.W, R9, ICODE, R1);
  }
}

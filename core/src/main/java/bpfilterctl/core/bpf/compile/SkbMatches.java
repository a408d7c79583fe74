package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import java.nio.ByteBuffer;

/** Matches on sk_buff fields: mark (revision 1) and pkttype. */
final class SkbMatches {
  static final int PACKET_BROADCAST = 1;
  static final int PACKET_LOOPBACK = 5;

  private static final int NEG = 0x80;

  private SkbMatches() {}

  /** mark_mt, struct xt_mark_mtinfo1 {u32 mark, mask; u8 invert}. */
  static void mark(EntryTests t, ByteBuffer d) {
    Boolean inv = IpHeaderMatches.inverted(Byte.toUnsignedInt(d.get(8)));
    if (inv == null) {
      return;
    }
    int mark = d.getInt(0);
    int mask = d.getInt(4);
    t.load(PacketSummary.MARK);
    if (mask != -1) {
      t.e.alu32(Insn.AND, R1, mask);
    }
    t.differs(mark, inv);
  }

  /**
   * pkttype_mt, struct xt_pkttype_info {int pkttype, invert}: skb->pkt_type, except that
   * PACKET_LOOPBACK counts as PACKET_MULTICAST for a multicast destination and PACKET_BROADCAST
   * otherwise.
   */
  static void pkttype(EntryTests t, ByteBuffer d) {
    Boolean inv = IpHeaderMatches.inverted(d.getInt(4));
    if (inv == null) {
      return;
    }
    Emitter e = t.e;
    // r0 = the loopback replacement: BROADCAST + (daddr is 224.0.0.0/4)
    e.ldx(Insn.W, R0, R9, PacketSummary.DADDR);
    e.alu(Insn.AND, R0, 0xf0).alu(Insn.XOR, R0, 0xe0);
    t.isZero(R0);
    e.alu(Insn.ADD, R0, PACKET_BROADCAST);
    // r1 = pkt_type, replaced (branch-free) when it is PACKET_LOOPBACK
    t.load(PacketSummary.PKTTYPE);
    e.aluReg(Insn.XOR, R0, R1);
    e.movReg(R2, R1).alu(Insn.XOR, R2, PACKET_LOOPBACK);
    t.isZero(R2);
    e.emit(new Insn(Insn.ALU64 | NEG | Insn.K, R2, 0, 0, 0));
    e.aluReg(Insn.AND, R0, R2).aluReg(Insn.XOR, R1, R0);
    t.differs(d.getInt(0), inv);
  }
}

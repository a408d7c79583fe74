package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Matches on the IPv4 header: iprange (revision 1), length, ttl, tos (revision 1) and dscp, each as
 * its kernel match function decides.
 */
final class IpHeaderMatches {
  static final int IPRANGE_SRC = 0x01;
  static final int IPRANGE_DST = 0x02;
  static final int IPRANGE_SRC_INV = 0x10;
  static final int IPRANGE_DST_INV = 0x20;

  static final int TTL_EQ = 0;
  static final int TTL_NE = 1;
  static final int TTL_LT = 2;
  static final int TTL_GT = 3;

  private IpHeaderMatches() {}

  /**
   * C's {@code (cond) ^ invert} taken as a bool: false when invert is 0 (the plain test), true when
   * 1 (the inverted test), null when any other value makes it true whatever cond is.
   */
  static Boolean inverted(long invert) {
    return invert == 0 ? Boolean.FALSE : invert == 1 ? Boolean.TRUE : null;
  }

  /**
   * iprange_mt4, struct xt_iprange_mtinfo {src_min, src_max, dst_min, dst_max (16 bytes each, the
   * IPv4 address first, network order); u8 flags}: each flagged range compares host-order values.
   */
  static void iprange(EntryTests t, ByteBuffer d) throws EntryTests.Never {
    ByteBuffer be = d.duplicate().order(ByteOrder.BIG_ENDIAN);
    int flags = Byte.toUnsignedInt(d.get(64));
    if ((flags & IPRANGE_SRC) != 0) {
      range32(t, PacketSummary.SADDR, be.getInt(0), be.getInt(16), (flags & IPRANGE_SRC_INV) != 0);
    }
    if ((flags & IPRANGE_DST) != 0) {
      range32(t, PacketSummary.DADDR, be.getInt(32), be.getInt(48), (flags & IPRANGE_DST_INV) != 0);
    }
  }

  /** Fails when (a < min || a > max) ^ inv, a the slot's address in host order. */
  private static void range32(EntryTests t, int slot, int min, int max, boolean inv)
      throws EntryTests.Never {
    long lo = Integer.toUnsignedLong(min);
    long hi = Integer.toUnsignedLong(max);
    if (lo > hi || (lo == 0 && hi == 0xffffffffL)) {
      boolean outside = lo > hi;
      if (outside != inv) {
        throw new EntryTests.Never();
      }
      return;
    }
    Emitter e = t.e;
    t.load(slot);
    e.toBe(R1, 32); // host order, zero-extended
    mov32(e, R0, max);
    e.aluReg(Insn.SUB, R0, R1); // max - a: negative when a > max
    mov32(e, R2, min);
    e.aluReg(Insn.SUB, R1, R2); // a - min: negative when a < min
    e.aluReg(Insn.OR, R1, R0).alu(Insn.RSH, R1, 63);
    if (inv) {
      e.alu(Insn.XOR, R1, 1);
    }
    t.fail(R1);
  }

  /**
   * length_mt, struct xt_length_info {u16 min, max; u8 invert}: skb_ip_totlen within [min, max].
   */
  static void length(EntryTests t, ByteBuffer d) throws EntryTests.Never {
    Boolean inv = inverted(Byte.toUnsignedInt(d.get(4)));
    if (inv == null) {
      return;
    }
    int min = Short.toUnsignedInt(d.getShort(0));
    int max = Short.toUnsignedInt(d.getShort(2));
    // the length may pass 65535 (a GSO packet), so [0, 65535] is not every value
    t.range(PacketSummary.TOTLEN, min, max, Integer.MAX_VALUE, inv);
  }

  /** ttl_mt, struct ipt_ttl_info {u8 mode, ttl}: eq, ne, lt, gt; another mode never matches. */
  static void ttl(EntryTests t, ByteBuffer d) throws EntryTests.Never {
    int mode = Byte.toUnsignedInt(d.get(0));
    int v = Byte.toUnsignedInt(d.get(1));
    switch (mode) {
      case TTL_EQ -> t.range(PacketSummary.TTL, v, v, 0xff, false);
      case TTL_NE -> t.range(PacketSummary.TTL, v, v, 0xff, true);
      case TTL_LT -> t.range(PacketSummary.TTL, 0, v - 1, 0xff, false);
      case TTL_GT -> t.range(PacketSummary.TTL, v + 1, 0xff, 0xff, false);
      default -> throw new EntryTests.Never();
    }
  }

  /** tos_mt, struct xt_tos_match_info {u8 tos_mask, tos_value, invert}. */
  static void tos(EntryTests t, ByteBuffer d) {
    int mask = Byte.toUnsignedInt(d.get(0));
    int value = Byte.toUnsignedInt(d.get(1));
    t.load(PacketSummary.TOS);
    t.e.alu32(Insn.AND, R1, mask);
    t.differs(value, d.get(2) != 0);
  }

  /** dscp_mt, struct xt_dscp_info {u8 dscp, invert}: the tos byte's upper six bits. */
  static void dscp(EntryTests t, ByteBuffer d) {
    t.load(PacketSummary.TOS);
    t.e.alu32(Insn.RSH, R1, 2);
    t.differs(Byte.toUnsignedInt(d.get(0)), d.get(1) != 0);
  }

  /** A 32-bit move: the register holds {@code imm} zero-extended. */
  static void mov32(Emitter e, int reg, int imm) {
    e.emit(new Insn(Insn.ALU | Insn.MOV | Insn.K, reg, 0, 0, imm));
  }
}

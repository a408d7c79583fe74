package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R5;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;
import java.util.function.IntConsumer;

/**
 * The conntrack match (revisions 1-3, xt_conntrack's conntrack_mt: --ctstate, --ctstatus, --ctdir;
 * "-m state" of iptables 1.8 arrives as one of these with XT_CONNTRACK_STATE_ALIAS) and the state
 * match (revision 0, xt_state's state_mt), from the prologue's copy of skb->_nfct and of the
 * entry's nf_conn status ({@link PacketSummary#NFCT}, {@link PacketSummary#CT_STATUS}).
 *
 * <p>As the kernel decides: with an nf_conn attached the state bit is 1 << (ctinfo % 3 + 1); with
 * none, UNTRACKED when ctinfo is IP_CT_UNTRACKED, else INVALID. With no nf_conn the conntrack match
 * is true exactly when it tests the state and that test passed (--ctdir and --ctstatus are not
 * looked at). Everything is computed without branching (one failure value of 0 or 1 at the end), so
 * the verifier learns nothing of the slots and a rule costs one branch, or none when its tests are
 * accumulated.
 */
final class ConntrackTests {
  // xt_conntrack_mtinfo match_flags / invert_flags
  static final int STATE = 1;
  static final int STATUS = 1 << 6;
  static final int DIRECTION = 1 << 12;
  static final int STATE_ALIAS = 1 << 13;

  /** The options the kernel acts on that are not compiled, by flag bit (1 << index). */
  private static final String[] OTHER_OPTIONS = {
    null,
    "--ctproto",
    "--ctorigsrc",
    "--ctorigdst",
    "--ctreplsrc",
    "--ctrepldst",
    null,
    "--ctexpire",
    "--ctorigsrcport",
    "--ctorigdstport",
    "--ctreplsrcport",
    "--ctrepldstport",
  };

  // state bits (xt_conntrack.h, xt_state.h; IP_CT_NUMBER is 5)
  static final int ST_INVALID = 1;
  static final int ST_SNAT = 1 << 6;
  static final int ST_DNAT = 1 << 7;
  static final int ST_UNTRACKED = 1 << 8;
  static final int STATE_V0_UNTRACKED = 1 << 6;

  /** enum ip_conntrack_info. */
  static final int IP_CT_IS_REPLY = 3;

  static final int IP_CT_UNTRACKED = 7;

  /** enum ip_conntrack_status: IPS_SRC_NAT, IPS_DST_NAT. */
  static final int IPS_SRC_NAT = 1 << 4;

  static final int IPS_DST_NAT = 1 << 5;

  /** Low bits of skb->_nfct that hold ctinfo (NFCT_INFOMASK). */
  private static final int INFOMASK = 7;

  private ConntrackTests() {}

  /** The names and revisions compiled here: conntrack 1-3, state 0. */
  static boolean handles(XtEntryMatch m) {
    return (m.name().equals("conntrack") && m.revision() >= 1 && m.revision() <= 3)
        || (m.name().equals("state") && m.revision() == 0);
  }

  /** True when some entry of the table has a conntrack or state match. */
  static boolean usedBy(FilterTable table) {
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      for (XtEntryMatch m : en.matches()) {
        if (handles(m)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Refuses a conntrack match with an option other than --ctstate, --ctstatus, --ctdir. */
  static void check(XtEntryMatch m) throws Refusal {
    if (!m.name().equals("conntrack") || !handles(m)) {
      return;
    }
    int flags = MtInfo.decode(m).flags();
    for (int bit = 0; bit < OTHER_OPTIONS.length; bit++) {
      if (OTHER_OPTIONS[bit] != null && (flags & (1 << bit)) != 0) {
        throw new Refusal("conntrack " + OTHER_OPTIONS[bit]);
      }
    }
  }

  /** The fields of xt_conntrack_mtinfo1/2/3 compiled here, masks widened to their revision. */
  private record MtInfo(int flags, int invert, int stateMask, int statusMask) {
    static MtInfo decode(XtEntryMatch m) {
      ByteBuffer d = Abi.wrap(m.data());
      int flags = Short.toUnsignedInt(d.getShort(146));
      int invert = Short.toUnsignedInt(d.getShort(148));
      if (m.revision() == 1) {
        return new MtInfo(
            flags, invert, Byte.toUnsignedInt(d.get(150)), Byte.toUnsignedInt(d.get(151)));
      }
      return new MtInfo(
          flags,
          invert,
          Short.toUnsignedInt(d.getShort(150)),
          Short.toUnsignedInt(d.getShort(152)));
    }
  }

  /**
   * Emits the match; {@code fail} takes a register that is non-zero when the match is false.
   *
   * @throws EntryTests.Never when the match can never be true
   */
  static void emit(Emitter e, XtEntryMatch m, IntConsumer fail) throws EntryTests.Never {
    if (m.name().equals("state")) {
      int mask = Abi.wrap(m.data()).getInt(0);
      int hits = stateTable(mask, STATE_V0_UNTRACKED);
      if (hits == 0) {
        throw new EntryTests.Never();
      }
      if (hits == 0xffff) {
        return;
      }
      prelude(e);
      stateHit(e, hits);
      e.alu(Insn.XOR, R5, 1);
      fail.accept(R5);
      return;
    }
    MtInfo c = MtInfo.decode(m);
    boolean hasState = (c.flags() & STATE) != 0;
    boolean hasRest = (c.flags() & (DIRECTION | STATUS)) != 0;
    boolean inv = (c.invert() & STATE) != 0;
    int hits = stateTable(c.stateMask(), ST_UNTRACKED);
    // SNAT/DNAT join the state bit from ct->status (IPS_SRC_NAT, IPS_DST_NAT)
    int nat =
        ((c.stateMask() & ST_SNAT) != 0 ? IPS_SRC_NAT : 0)
            | ((c.stateMask() & ST_DNAT) != 0 ? IPS_DST_NAT : 0);
    if (hasState) {
      boolean alwaysHit = hits == 0xffff;
      boolean neverHit = hits == 0 && nat == 0;
      if (((alwaysHit && !inv) || (neverHit && inv)) && !hasRest) {
        return; // the state test always passes and nothing else is tested
      }
      if ((alwaysHit && inv) || (neverHit && !inv)) {
        throw new EntryTests.Never();
      }
    }
    prelude(e);
    if (hasState) {
      stateHit(e, hits);
      if (nat != 0) {
        statusHit(e, R0, nat);
        e.aluReg(Insn.AND, R0, R1).aluReg(Insn.OR, R5, R0); // only with an nf_conn
      }
      if (!inv) {
        e.alu(Insn.XOR, R5, 1); // r5: the state test fails
      }
    }
    if (!hasRest) {
      if (hasState) {
        fail.accept(R5);
      } else {
        e.alu(Insn.XOR, R1, 1); // nothing tested: true with an nf_conn, false without
        fail.accept(R1);
      }
      return;
    }
    e.mov(R0, 0);
    if ((c.flags() & DIRECTION) != 0) {
      // CTINFO2DIR: reply from IP_CT_IS_REPLY on; (ctinfo + 5) >> 3 is that for ctinfo 0..7
      e.movReg(R0, R2).alu(Insn.ADD, R0, 8 - IP_CT_IS_REPLY).alu(Insn.RSH, R0, 3);
      if ((c.invert() & DIRECTION) != 0) {
        e.alu(Insn.XOR, R0, 1); // --ctdir REPLY fails on the original direction
      }
    }
    if ((c.flags() & STATUS) != 0) {
      statusHit(e, R2, c.statusMask());
      if ((c.invert() & STATUS) == 0) {
        e.alu(Insn.XOR, R2, 1);
      }
      e.aluReg(Insn.OR, R0, R2);
    }
    if (hasState) {
      e.aluReg(Insn.AND, R0, R1).aluReg(Insn.OR, R0, R5); // no nf_conn: the state test decides
    } else {
      e.alu(Insn.XOR, R1, 1).aluReg(Insn.OR, R0, R1); // no nf_conn: false
    }
    fail.accept(R0);
  }

  /**
   * Bit {@code present << 3 | ctinfo} is set when that packet's state bit is in {@code mask}:
   * present, 1 << (ctinfo % 3 + 1); absent, {@code untracked} for IP_CT_UNTRACKED, else INVALID.
   */
  static int stateTable(int mask, int untracked) {
    int hits = 0;
    for (int idx = 0; idx < 16; idx++) {
      int ctinfo = idx & INFOMASK;
      int bit;
      if (idx >= 8) {
        bit = 1 << (ctinfo % IP_CT_IS_REPLY + 1);
      } else {
        bit = ctinfo == IP_CT_UNTRACKED ? untracked : ST_INVALID;
      }
      if ((mask & bit) != 0) {
        hits |= 1 << idx;
      }
    }
    return hits;
  }

  /** r1 = 1 when an nf_conn is attached, else 0; r2 = ctinfo. */
  private static void prelude(Emitter e) {
    e.ldx(Insn.DW, R5, R9, PacketSummary.NFCT);
    e.movReg(R2, R5).alu(Insn.AND, R2, INFOMASK);
    e.alu(Insn.AND, R5, ~INFOMASK);
    // (ct | -ct) >> 63: the top bit is set for any non-zero ct
    e.mov(R1, 0).aluReg(Insn.SUB, R1, R5).aluReg(Insn.OR, R1, R5).alu(Insn.RSH, R1, 63);
  }

  /** r5 = bit (r1 << 3 | r2) of {@code hits}. */
  private static void stateHit(Emitter e, int hits) {
    e.movReg(R0, R1).alu(Insn.LSH, R0, 3).aluReg(Insn.OR, R0, R2);
    e.mov(R5, hits).aluReg(Insn.RSH, R5, R0).alu(Insn.AND, R5, 1);
  }

  /**
   * reg = 1 when ct->status has a bit of {@code mask} (below 2^16), else 0; without an nf_conn the
   * prologue read zero.
   */
  private static void statusHit(Emitter e, int reg, int mask) {
    e.ldx(Insn.DW, reg, R9, PacketSummary.CT_STATUS).alu(Insn.AND, reg, mask);
    e.alu(Insn.ADD, reg, 0xffff).alu(Insn.RSH, reg, 16);
  }
}

package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R6;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtAddrtypeInfo;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;

/**
 * xt_addrtype (revisions 0 and 1): the type inet_dev_addr_type gives the source and/or destination
 * address, tested against the rule's type bits, each with its own inversion. 0.0.0.0/8 and
 * 255.255.255.255 are broadcast and 224.0.0.0/4 multicast without a lookup; any other address is
 * looked up in an LPM trie that mirrors the namespace's local routing table (filled and kept
 * current by the umh: enforce.RouteMirror): {type, ifindex of the route's first nexthop}; none
 * found: unicast. With --limit-iface-in/out the found type counts only when that nexthop is the
 * packet's input/output device (else unicast), as in __inet_dev_addr_type.
 *
 * <p>Revision 0's inversions are u32 fields of which ret &= match ^ invert keeps bit 0; revision
 * 1's are flag bits. Not mirrored: the table of an L3 master device (VRF) that inet_dev_addr_type
 * would use for a device enslaved to one.
 */
public final class AddrtypeMatch {
  /** The route map's index in every program's fd_array. */
  public static final int MAP_INDEX = 2;

  /** A route map value: u32 type, u32 ifindex. */
  public static final int VALUE_SIZE = 8;

  public static final int RTN_UNICAST = 1;
  public static final int RTN_BROADCAST = 3;
  public static final int RTN_MULTICAST = 5;

  /** An ifindex no device limit applies to (the types decided without a route). */
  public static final int ANY_DEVICE = -1;

  private static final int MAP_LOOKUP_ELEM = 1;

  private AddrtypeMatch() {}

  /** True when some entry of {@code table} has an addrtype match (it then needs the route map). */
  public static boolean uses(FilterTable table) {
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      for (XtEntryMatch m : en.matches()) {
        if (m.name().equals("addrtype")) {
          return true;
        }
      }
    }
    return false;
  }

  static void emit(EntryTests t, XtEntryMatch m, ByteBuffer d) {
    int src = Short.toUnsignedInt(d.getShort(0));
    int dst = Short.toUnsignedInt(d.getShort(2));
    boolean invSrc;
    boolean invDst;
    int device = -1;
    KernelLayout k = t.context().kernel();
    if (m.revision() == 0) {
      invSrc = (d.getInt(4) & 1) != 0;
      invDst = (d.getInt(8) & 1) != 0;
    } else {
      int flags = d.getInt(4);
      invSrc = (flags & XtAddrtypeInfo.INVERT_SOURCE) != 0;
      invDst = (flags & XtAddrtypeInfo.INVERT_DEST) != 0;
      if ((flags & XtAddrtypeInfo.LIMIT_IFACE_IN) != 0) {
        device = k.stateIn();
      } else if ((flags & XtAddrtypeInfo.LIMIT_IFACE_OUT) != 0) {
        device = k.stateOut();
      }
    }
    if (src != 0) {
      test(t, PacketSummary.SADDR, src, invSrc, device);
    }
    if (dst != 0) {
      test(t, PacketSummary.DADDR, dst, invDst, device);
    }
  }

  /** Fails unless (mask has the address's type) ^ inv. */
  private static void test(EntryTests t, int slot, int mask, boolean inv, int device) {
    Emitter e = t.emitter();
    KernelLayout k = t.context().kernel();
    t.beforeCalls();
    Label have = e.label("addrtype_known");
    e.ldx(Insn.W, R1, R9, slot); // network order: the first octet is the low byte
    e.mov(R6, RTN_BROADCAST);
    t.innerBranch();
    e.jmp32(Insn.JEQ, R1, 0, have); // ipv4_is_zeronet: 0.0.0.0 only since 5.x
    t.innerBranch();
    e.jmp32(Insn.JEQ, R1, -1, have); // 255.255.255.255
    e.mov(R6, RTN_MULTICAST);
    e.movReg(R2, R1).alu(Insn.AND, R2, 0xf0);
    t.innerBranch();
    e.jmp(Insn.JEQ, R2, 0xe0, have); // 224.0.0.0/4

    int key = PacketSummary.LOOKUP_KEY;
    e.st(Insn.W, R9, key, 32).stx(Insn.W, R9, key + 4, R1);
    e.ldMapIdx(R1, MAP_INDEX);
    e.movReg(R2, R9).alu(Insn.ADD, R2, key);
    e.callHelper(MAP_LOOKUP_ELEM);
    e.mov(R6, RTN_UNICAST);
    t.innerBranch();
    e.jmp(Insn.JEQ, R0, 0, have);
    e.ldx(Insn.W, R6, R0, 0);
    if (device >= 0) {
      e.ldx(Insn.W, R1, R0, 4);
      t.innerBranch();
      e.jmp32(Insn.JEQ, R1, ANY_DEVICE, have);
      e.ldx(Insn.DW, R2, R9, t.summary(PacketSummary.STATE));
      e.ldx(Insn.DW, R2, R2, device);
      t.innerBranch();
      e.jmp(Insn.JEQ, R2, 0, have); // no device: no limit
      e.ldx(Insn.W, R2, R2, k.devIfindex());
      t.innerBranch();
      e.jmpReg(Insn.JEQ, R2, R1, have);
      e.mov(R6, RTN_UNICAST);
    }
    e.bind(have);
    e.mov(R1, mask).aluReg(Insn.RSH, R1, R6).alu(Insn.AND, R1, 1);
    e.jmp(Insn.JEQ, R1, inv ? 1 : 0, t.failBranch());
  }
}

package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.uapi.XtMultiportV1;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * xt_multiport revision 1 (struct xt_multiport_v1): a fragment fails it, a header of fewer than 4
 * bytes hotdrops, else ports_match_v1 decides: any listed port or range (of the source, the
 * destination or either port) gives {@code true ^ invert}, none gives {@code invert}, both as C
 * truth values of the u8 invert.
 */
final class PortMatches {
  private PortMatches() {}

  static void multiport(EntryTests t, ByteBuffer d) throws EntryTests.Never {
    if (!t.transportChecked() && !t.portsChecked) {
      t.portsChecked = true; // a tcp/udp status check already implies both conditions
      Emitter e = t.e;
      t.status(
          () -> {
            t.load(PacketSummary.FRAG);
            shortHeader(e, R2);
            e.aluReg(Insn.OR, R1, R2);
          },
          () -> {
            t.load(PacketSummary.FRAG);
            e.jmp32(Insn.JNE, R1, 0, t.next);
            shortHeader(e, R1);
            e.jmp(Insn.JEQ, R1, 0, t.next);
          });
    }
    int flags = Byte.toUnsignedInt(d.get(0));
    int count = Byte.toUnsignedInt(d.get(1));
    int inv = Byte.toUnsignedInt(d.get(XtMultiportV1.SIZE - 1));
    boolean onFound = (1 ^ inv) != 0;
    boolean onMissing = inv != 0;
    if (onFound && onMissing) {
      return;
    }
    List<int[]> specs = new ArrayList<>(); // {first, last}
    for (int i = 0; i < count; i++) {
      int s = u16(d, XtMultiportV1.OFF_PORTS + 2 * i);
      int last = s;
      if (d.get(XtMultiportV1.OFF_PFLAGS + i) != 0) {
        i++;
        last = u16(d, XtMultiportV1.OFF_PORTS + 2 * i); // the kernel's ports[++i], as laid out
      }
      specs.add(new int[] {s, last});
    }
    List<Integer> slots = new ArrayList<>();
    if (flags == XtMultiportV1.SOURCE || flags == XtMultiportV1.EITHER) {
      slots.add(PacketSummary.SPORT);
    }
    if (flags == XtMultiportV1.DESTINATION || flags == XtMultiportV1.EITHER) {
      slots.add(PacketSummary.DPORT);
    }
    boolean any = false;
    Emitter e = t.e;
    for (int[] s : specs) {
      if (s[0] > s[1]) {
        continue;
      }
      for (int slot : slots) {
        t.load(slot);
        if (s[0] == s[1]) {
          e.alu(Insn.XOR, R1, s[0]);
          t.isZero(R1);
        } else {
          e.mov(R0, s[1]).aluReg(Insn.SUB, R0, R1).alu(Insn.ADD, R1, -s[0]);
          e.aluReg(Insn.OR, R1, R0).alu(Insn.RSH, R1, 63).alu(Insn.XOR, R1, 1);
        }
        if (any) {
          e.aluReg(Insn.OR, R2, R1);
        } else {
          e.movReg(R2, R1);
          any = true;
        }
      }
    }
    if (!any) { // nothing can be found: the match is invert's truth value
      if (!onMissing) {
        throw new EntryTests.Never();
      }
      return;
    }
    if (onFound) {
      e.alu(Insn.XOR, R2, 1); // fails when nothing was found
    }
    t.fail(R2);
  }

  /** reg = 1 when the transport header has fewer than 4 bytes (thoff + 4 > skb->len), else 0. */
  private static void shortHeader(Emitter e, int reg) {
    e.ldx(Insn.W, reg, R9, PacketSummary.LEN);
    e.ldx(Insn.W, R0, R9, PacketSummary.THOFF);
    e.aluReg(Insn.SUB, reg, R0).alu(Insn.ADD, reg, -4).alu(Insn.RSH, reg, 63);
  }

  private static int u16(ByteBuffer d, int at) {
    return Short.toUnsignedInt(d.getShort(at));
  }
}

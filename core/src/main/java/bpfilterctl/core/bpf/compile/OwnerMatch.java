package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R3;
import static bpfilterctl.core.bpf.insn.Emitter.R4;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.uapi.XtOwnerMatchInfo;
import java.nio.ByteBuffer;

/**
 * xt_owner's owner_mt (revision 1): the packet's full socket (skb->sk, a request socket's listener,
 * none for a time-wait socket), its struct socket and file, and the file's fsuid and fsgid, read
 * through the kernel's BTF (the loads of untrusted BTF pointers are fault-safe: a pointer the
 * kernel frees under us reads as zero, never crashes). A packet without a socket of this namespace,
 * or a socket without a file, passes exactly when the rule asks nothing of them, as owner_mt
 * decides.
 *
 * <p>Ids are compared as the kernel's ids: make_kuid in the namespace's user namespace is the
 * identity where this process's ids map to themselves; elsewhere uid and gid tests are refused.
 * --suppl-groups (a walk of the file's supplementary groups) is refused.
 */
final class OwnerMatch {
  static final int REVISION = 1;

  private static final int TCP_TIME_WAIT = 6;
  private static final int TCP_NEW_SYN_RECV = 12;

  private OwnerMatch() {}

  /** Refuses the options this class does not compile, whatever the kernel. */
  static void check(ByteBuffer d) throws Refusal {
    if ((d.get(16) & XtOwnerMatchInfo.SUPPL_GROUPS) != 0) {
      throw Refusal.extension("match owner --suppl-groups");
    }
  }

  /** Refuses what this kernel and namespace do not let this class compile exactly. */
  private static void check(ByteBuffer d, KernelLayout k) throws Refusal {
    check(d);
    int match = d.get(16) & 0xff;
    if (k.owner().isEmpty()) {
      throw Refusal.extension("match owner (the kernel's BTF lacks the socket layout)");
    }
    if ((match & (XtOwnerMatchInfo.UID | XtOwnerMatchInfo.GID)) != 0
        && !k.owner().get().identityIds()) {
      throw Refusal.extension(
          "match owner --uid-owner/--gid-owner outside the initial user namespace");
    }
  }

  static void emit(EntryTests t, ByteBuffer d) throws Refusal {
    check(d, t.context().kernel());
    OwnerLayout o = t.context().kernel().owner().orElseThrow();
    int match = d.get(16) & 0xff;
    int invert = d.get(17) & 0xff;
    Emitter e = t.emitter();
    t.beforeCalls();
    Label noSocket = e.label("owner_no_socket");
    Label noFile = e.label("owner_no_file");
    Label full = e.label("owner_full_socket");
    Label done = e.label("owner_passes");

    // skb_to_full_sk: a request socket stands for its listener, a time-wait socket for none
    e.ldx(Insn.DW, R1, R9, t.summary(PacketSummary.SKB));
    e.ldx(Insn.DW, R1, R1, o.skbSk());
    branch(t, Insn.JEQ, R1, 0, noSocket);
    e.ldx(Insn.B, R2, R1, o.skState());
    branch(t, Insn.JNE, R2, TCP_NEW_SYN_RECV, full);
    // rsk_listener shares a union with a scalar (skc_flags): typed as a socket by a cast
    e.ldx(Insn.DW, R1, R1, o.listener());
    e.mov(R2, o.sock()).callKfunc(o.rdonlyCast());
    e.movReg(R1, R0);
    branch(t, Insn.JEQ, R1, 0, noSocket);
    e.ldx(Insn.B, R2, R1, o.skState());
    e.bind(full);
    branch(t, Insn.JEQ, R2, TCP_TIME_WAIT, noSocket);
    e.ldx(Insn.DW, R2, R1, o.skSocket());
    branch(t, Insn.JEQ, R2, 0, noSocket);
    e.ldx(Insn.DW, R3, R1, o.skNet());
    e.ldx(Insn.DW, R4, R9, t.summary(PacketSummary.STATE));
    e.ldx(Insn.DW, R4, R4, o.stateNet());
    t.innerBranch();
    e.jmpReg(Insn.JNE, R3, R4, noSocket);

    if ((match & invert & XtOwnerMatchInfo.SOCKET) != 0) {
      e.ja(t.failBranch()); // a socket, and ! --socket-exists
    } else {
      e.ldx(Insn.DW, R2, R2, o.socketFile());
      branch(t, Insn.JEQ, R2, 0, noFile);
      e.ldx(Insn.DW, R2, R2, o.fileCred());
      if ((match & XtOwnerMatchInfo.UID) != 0) {
        range(t, R2, o.fsuid(), d.getInt(0), d.getInt(4), (invert & XtOwnerMatchInfo.UID) != 0);
      }
      if ((match & XtOwnerMatchInfo.GID) != 0) {
        range(t, R2, o.fsgid(), d.getInt(8), d.getInt(12), (invert & XtOwnerMatchInfo.GID) != 0);
      }
      e.ja(done);
      e.bind(noFile);
      if (((match ^ invert) & (XtOwnerMatchInfo.UID | XtOwnerMatchInfo.GID)) != 0) {
        e.ja(t.failBranch());
      } else {
        e.ja(done);
      }
    }
    e.bind(noSocket);
    if ((match ^ invert) != 0) {
      e.ja(t.failBranch());
    }
    e.bind(done);
  }

  /** Fails unless the u32 at {@code cred + off} is within [min, max], or outside it if inv. */
  private static void range(EntryTests t, int cred, int off, int min, int max, boolean inv) {
    Emitter e = t.emitter();
    e.ldx(Insn.W, R1, cred, off);
    if (!inv) {
      e.jmp32(Insn.JLT, R1, min, t.failBranch());
      e.jmp32(Insn.JGT, R1, max, t.failBranch());
      return;
    }
    Label outside = e.label("owner_outside");
    t.innerBranch();
    e.jmp32(Insn.JLT, R1, min, outside);
    e.jmp32(Insn.JLE, R1, max, t.failBranch());
    e.bind(outside);
  }

  private static void branch(EntryTests t, int op, int reg, int imm, Label to) {
    t.innerBranch();
    t.emitter().jmp(op, reg, imm, to);
  }
}

package bpfilterctl.core.bpf.compile;

import static bpfilterctl.core.bpf.insn.Emitter.R0;
import static bpfilterctl.core.bpf.insn.Emitter.R1;
import static bpfilterctl.core.bpf.insn.Emitter.R10;
import static bpfilterctl.core.bpf.insn.Emitter.R2;
import static bpfilterctl.core.bpf.insn.Emitter.R3;
import static bpfilterctl.core.bpf.insn.Emitter.R4;
import static bpfilterctl.core.bpf.insn.Emitter.R5;
import static bpfilterctl.core.bpf.insn.Emitter.R6;
import static bpfilterctl.core.bpf.insn.Emitter.R7;
import static bpfilterctl.core.bpf.insn.Emitter.R8;
import static bpfilterctl.core.bpf.insn.Emitter.R9;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import bpfilterctl.core.bpf.insn.Label;
import bpfilterctl.core.uapi.XtEntryTarget;

/**
 * The code of a REJECT or LOG rule: it reserves a {@link TargetEvent} in the ring buffer, fills it
 * (the target's parameters, rule, hook, skb length and mark, devices, conntrack, the packet's first
 * bytes; for LOG the MAC header and the socket's owner) and submits it for the umh, which sends the
 * reply or writes the line. A full ring buffer bumps the lost counter and nothing else: the verdict
 * never waits on the umh. REJECT then drops the packet (as ipt_REJECT does after its reply); LOG
 * goes on with the next rule.
 */
final class TargetReport {
  private static final int HELPER_MAP_LOOKUP_ELEM = 1;
  private static final int HELPER_PROBE_READ_KERNEL = 113;
  private static final int HELPER_RINGBUF_RESERVE = 131;
  private static final int HELPER_RINGBUF_SUBMIT = 132;
  private static final int HELPER_DYNPTR_READ = 201;

  /** xt_log.h: XT_LOG_UID. */
  static final int LOG_UID = 0x08;

  private static final int TCP_TIME_WAIT = 6;
  private static final int TCP_NEW_SYN_RECV = 12;

  private TargetReport() {}

  /** REJECT or LOG at revision 0: the targets whose work the umh completes. */
  static boolean handles(XtEntryTarget t) {
    return t.revision() == 0 && (t.name().equals("REJECT") || t.name().equals("LOG"));
  }

  /** REJECT ends the packet's walk; LOG goes on. */
  static boolean terminal(XtEntryTarget t) {
    return t.name().equals("REJECT");
  }

  /**
   * Emits the report of rule {@code rule} at {@code hook}. Clobbers r0-r8; r9 must point at the
   * main frame's summary.
   */
  static void emit(
      Emitter e, TargetMaps maps, SummaryReads reads, int hook, int rule, XtEntryTarget t) {
    byte[] d = t.data();
    boolean log = t.name().equals("LOG");
    int kind = log ? TargetEvent.LOG : TargetEvent.REJECT;
    int param = d[0] & 0xff; // the log level, or reject-with (a small little-endian enum)
    int flags = log ? d[1] & 0xff : 0;
    TargetLayout k = maps.layout();
    Label lost = e.label("report_lost");
    Label done = e.label("report_done");

    e.ldMapFd(R1, maps.ringFd()).mov(R2, TargetEvent.SIZE).mov(R3, 0);
    e.callHelper(HELPER_RINGBUF_RESERVE);
    e.jmp(Insn.JEQ, R0, 0, lost);
    e.movReg(R6, R0);
    e.st(Insn.W, R6, 0, kind | hook << 8 | param << 16 | flags << 24);
    e.st(Insn.W, R6, 4, rule);
    e.ldx(Insn.W, R1, R9, PacketSummary.LEN).stx(Insn.W, R6, TargetEvent.OFF_LEN, R1);
    for (int off = 0; off < 16; off += 8) {
      if (log) { // the prologue reads the devices for LOG only (SummaryReads); REJECT's are unused
        e.ldx(Insn.DW, R1, R9, PacketSummary.IN + off);
        e.stx(Insn.DW, R6, TargetEvent.OFF_IN + off, R1);
        e.ldx(Insn.DW, R1, R9, PacketSummary.OUT + off);
        e.stx(Insn.DW, R6, TargetEvent.OFF_OUT + off, R1);
      } else {
        e.st(Insn.DW, R6, TargetEvent.OFF_IN + off, 0)
            .st(Insn.DW, R6, TargetEvent.OFF_OUT + off, 0);
      }
    }
    for (int off = 0; off < 32; off += 4) {
      int word = 0;
      for (int b = 0; b < 4; b++) {
        int at = 2 + off + b;
        if (log && at < d.length && off + b < 29) { // prefix[30], its last byte NUL
          word |= (d[at] & 0xff) << (8 * b);
        }
      }
      e.st(Insn.W, R6, TargetEvent.OFF_PREFIX + off, word);
    }
    e.ldx(Insn.DW, R7, R9, PacketSummary.CTX).ldx(Insn.DW, R7, R7, 8); // ctx->skb
    e.ldx(Insn.W, R1, R7, k.skbMark()).stx(Insn.W, R6, TargetEvent.OFF_MARK, R1);
    e.st(Insn.W, R6, TargetEvent.OFF_MAC_LEN, 0);
    e.st(Insn.W, R6, TargetEvent.OFF_UID, -1).st(Insn.W, R6, TargetEvent.OFF_GID, -1);
    conntrack(e, reads);
    if (!log) {
      checksumState(e, k);
    }
    if (log) {
      macHeader(e, k);
      if ((flags & LOG_UID) != 0) {
        owner(e, k);
      }
    }
    packet(e);
    e.movReg(R1, R6).mov(R2, 0).callHelper(HELPER_RINGBUF_SUBMIT);
    e.ja(done);

    e.bind(lost);
    e.st(Insn.W, R10, PacketSummary.KEY, 0);
    e.ldMapFd(R1, maps.lostFd()).movReg(R2, R10).alu(Insn.ADD, R2, PacketSummary.KEY);
    e.callHelper(HELPER_MAP_LOOKUP_ELEM);
    e.jmp(Insn.JEQ, R0, 0, done);
    e.ldx(Insn.DW, R1, R0, 0).alu(Insn.ADD, R1, 1).stx(Insn.DW, R0, 0, R1);
    e.bind(done);
  }

  /**
   * REJECT's byte 3: skb->ip_summed in bits 0-1 and skb->csum_valid in bit 2, for the umh to verify
   * the checksum where nf_reject_ipv4 would. r7 = skb.
   */
  private static void checksumState(Emitter e, TargetLayout k) {
    int s = k.skbIpSummedBit();
    int v = k.skbCsumValidBit();
    e.ldx(Insn.B, R1, R7, s / 8).alu(Insn.RSH, R1, s % 8).alu(Insn.AND, R1, 3);
    e.ldx(Insn.B, R2, R7, v / 8).alu(Insn.RSH, R2, v % 8).alu(Insn.AND, R2, 1);
    e.alu(Insn.LSH, R2, 2).aluReg(Insn.OR, R1, R2);
    e.stx(Insn.B, R6, 3, R1);
  }

  /**
   * The packet's conntrack as the prologue read it (zeros where it read none: a table without
   * conntrack matches, whose replies nothing could relate): ctinfo with {@link
   * TargetEvent#HAS_CONNTRACK} when there is an nf_conn, and its status; the umh gives REJECT's
   * reply the relation the kernel's nf_ct_attach would.
   */
  private static void conntrack(Emitter e, SummaryReads reads) {
    if (!reads.has(SummaryReads.Part.CONNTRACK)) {
      e.st(Insn.DW, R6, TargetEvent.OFF_CT, 0).st(Insn.DW, R6, TargetEvent.OFF_CT_STATUS, 0);
      return;
    }
    e.ldx(Insn.DW, R1, R9, PacketSummary.NFCT).movReg(R2, R1).alu(Insn.AND, R2, 7);
    e.alu(Insn.AND, R1, -8).mov(R3, 0).aluReg(Insn.SUB, R3, R1).aluReg(Insn.OR, R3, R1);
    e.alu(Insn.RSH, R3, 63).alu(Insn.LSH, R3, 3).aluReg(Insn.OR, R3, R2); // (ct != 0) << 3
    e.stx(Insn.DW, R6, TargetEvent.OFF_CT, R3);
    e.ldx(Insn.DW, R1, R9, PacketSummary.CT_STATUS).stx(Insn.DW, R6, TargetEvent.OFF_CT_STATUS, R1);
  }

  /** min(skb->len, DATA_MAX) bytes from the IP header, through the prologue's dynptr. */
  private static void packet(Emitter e) {
    Label fits = e.label("report_fits");
    Label read = e.label("report_read");
    e.ldx(Insn.W, R2, R9, PacketSummary.LEN);
    e.jmp(Insn.JLE, R2, TargetEvent.DATA_MAX, fits);
    e.mov(R2, TargetEvent.DATA_MAX);
    e.bind(fits);
    e.stx(Insn.W, R6, TargetEvent.OFF_CAPTURED, R2);
    e.movReg(R1, R6).alu(Insn.ADD, R1, TargetEvent.OFF_DATA);
    e.movReg(R3, R9).alu(Insn.ADD, R3, PacketSummary.DYNPTR - PacketSummary.BASE);
    e.mov(R4, 0).mov(R5, 0);
    e.callHelper(HELPER_DYNPTR_READ);
    e.jmp(Insn.JEQ, R0, 0, read);
    e.st(Insn.W, R6, TargetEvent.OFF_CAPTURED, 0);
    e.bind(read);
  }

  /**
   * The MAC header as the kernel's LOG prints it: only with an input device, {@code
   * dev->hard_header_len} bytes from skb->mac_header when it was set and differs from the network
   * header; and the device's type (the kernel decodes only Ethernet's). r7 = skb.
   */
  private static void macHeader(Emitter e, TargetLayout k) {
    Label none = e.label("no_mac");
    Label fits = e.label("mac_fits");
    e.ldx(Insn.DW, R1, R9, PacketSummary.CTX).ldx(Insn.DW, R1, R1, 0); // ctx->state
    e.ldx(Insn.DW, R1, R1, k.stateIn());
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.DW, R1, R7, k.skbDev());
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.H, R8, R1, k.devHardHeaderLen());
    e.jmp(Insn.JEQ, R8, 0, none);
    e.ldx(Insn.H, R2, R1, k.devType()).stx(Insn.H, R6, TargetEvent.OFF_DEV_TYPE, R2);
    e.ldx(Insn.H, R3, R7, k.skbMacHeader()).ldx(Insn.H, R4, R7, k.skbNetworkHeader());
    e.jmp(Insn.JEQ, R3, 0xffff, none); // never set
    e.jmpReg(Insn.JEQ, R3, R4, none);
    e.jmp(Insn.JLE, R8, TargetEvent.MAC_MAX, fits);
    e.mov(R8, TargetEvent.MAC_MAX);
    e.bind(fits);
    e.ldx(Insn.DW, R1, R7, k.skbHead()).aluReg(Insn.ADD, R3, R1);
    e.movReg(R1, R6).alu(Insn.ADD, R1, TargetEvent.OFF_MAC).movReg(R2, R8);
    e.callHelper(HELPER_PROBE_READ_KERNEL);
    e.jmp(Insn.JNE, R0, 0, none);
    e.stx(Insn.H, R6, TargetEvent.OFF_MAC_LEN, R8);
    e.bind(none);
  }

  /**
   * fsuid and fsgid of the file of a full socket that owns the packet, as --log-uid prints them
   * (nf_log_dump_sk_uid_gid). r7 = skb.
   */
  private static void owner(Emitter e, TargetLayout k) {
    Label none = e.label("no_owner");
    e.ldx(Insn.DW, R1, R7, k.skbSk());
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.B, R2, R1, k.skState());
    e.jmp(Insn.JEQ, R2, TCP_TIME_WAIT, none).jmp(Insn.JEQ, R2, TCP_NEW_SYN_RECV, none);
    e.ldx(Insn.DW, R1, R1, k.skSocket());
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.DW, R1, R1, k.socketFile());
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.DW, R1, R1, k.fileCred());
    e.jmp(Insn.JEQ, R1, 0, none);
    e.ldx(Insn.W, R2, R1, k.credFsuid()).stx(Insn.W, R6, TargetEvent.OFF_UID, R2);
    e.ldx(Insn.W, R2, R1, k.credFsgid()).stx(Insn.W, R6, TargetEvent.OFF_GID, R2);
    e.bind(none);
  }
}

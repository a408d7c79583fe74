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
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIcmp;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtTcp;
import bpfilterctl.core.uapi.XtUdp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests of one entry, ip_packet_match's then each match's. Tests whose outcome the entry alone
 * decides emit nothing (always true) or make the whole entry vanish (never true).
 *
 * <p>Two ways. Eager: each test jumps to the next entry as soon as it fails (the fewest
 * instructions run). Accumulated: most tests branch on nothing, each ORs into r3 a value that is
 * non-zero when it fails, and one conditional jump per entry ("flush") leaves for the next entry
 * when r3 is non-zero. The verifier keeps a pending branch for every branch of an entry but its
 * last (8,192 stop it), so big tables are compiled accumulated. Only ICMP type/code tests branch
 * either way; a flush precedes them.
 *
 * <p>The transport status check of the first tcp/udp/icmp match comes last among the ipt_ip tests,
 * so a hotdrop happens only where ip_tables would reach that match: it ORs (L4P ^ proto) into r3
 * after saving the ipt_ip part in r4, and the flush after it goes to a stub that drops when the
 * ipt_ip part passed and L4P says hotdrop.
 */
final class EntryTests {
  static final int IPPROTO_ICMP = 1;
  static final int IPPROTO_TCP = 6;
  static final int IPPROTO_UDP = 17;
  static final int IPPROTO_UDPLITE = 136;

  final Emitter e;
  final Label next;
  private final List<Runnable> stubs = new ArrayList<>();
  private boolean anyJump;
  private boolean statusChecked;

  /** A multiport status check was emitted (fragment: false; under 4 bytes: hotdrop). */
  boolean portsChecked;

  /** r3 holds failures not yet flushed. */
  private boolean pending;

  /** Where a flush goes: the next entry, or the hotdrop stub once the status is in r3. */
  private Label flushTo;

  private final boolean eager;
  private int branches;

  private MatchContext context;
  private int index;
  private int limits;

  EntryTests(Emitter e, Label next, boolean eager) {
    this.e = e;
    this.next = next;
    this.flushTo = next;
    this.eager = eager;
  }

  /** The table-wide state match emitters use, and this entry's index in the table. */
  EntryTests at(MatchContext context, int index) {
    this.context = context;
    this.index = index;
    return this;
  }

  MatchContext context() {
    return context;
  }

  Emitter emitter() {
    return e;
  }

  /** Flushes pending failures: the tests emitted next may call helpers (r1-r5 are then lost). */
  void beforeCalls() {
    flush();
  }

  /** Where a test's failing branch goes (the next entry); counts the branch. */
  Label failBranch() {
    anyJump = true;
    branches++;
    return next;
  }

  /** Counts a conditional jump that stays inside the entry's tests. */
  void innerBranch() {
    branches++;
  }

  /** The bucket of the entry's next limit match. */
  int nextLimitSlot() {
    return context.limits().slot(index, limits++);
  }

  /** Conditional jumps out of the entry's tests (the verifier keeps all but one pending). */
  int branches() {
    return branches;
  }

  /** ip_tables' unconditional(): an all-zero ipt_ip and no matches. */
  static boolean alwaysMatches(IptEntry en) {
    return en.matches().isEmpty() && en.ip().equals(IptIp.ANY);
  }

  /** The names and revisions of the matches this compiler knows. */
  static boolean supported(XtEntryMatch m) {
    return CompiledMatches.compiles(m.name(), m.revision());
  }

  boolean anyJump() {
    return anyJump;
  }

  /** Emits every test; false when the entry can never match (nothing was emitted then). */
  boolean emit(IptEntry en) throws Refusal {
    int start = e.pc();
    try {
      ipTests(en.ip(), !en.matches().isEmpty() && transportProto(en.matches().get(0)));
      for (XtEntryMatch m : en.matches()) {
        match(en.ip(), m);
      }
      flush();
      return true;
    } catch (Never n) {
      flush(); // a hotdrop still happens where the status check was reached
      if (e.pc() != start) {
        // Tests before the impossible one jump to next already: end with a jump there too.
        e.ja(next);
        emitStubs(false);
      }
      return false;
    }
  }

  /** The out-of-line pieces of this entry (hotdrop checks), after its action. */
  void emitStubs(boolean actionFallsThrough) {
    if (stubs.isEmpty()) {
      return;
    }
    if (actionFallsThrough) {
      e.ja(next);
    }
    stubs.forEach(Runnable::run);
  }

  /** Thrown when a test can never pass. */
  static final class Never extends Exception {
    private static final long serialVersionUID = 1L;

    Never() {
      super(null, null, false, false);
    }
  }

  /** The matches whose start is the transport status check (tcp, udp, udplite, icmp). */
  private static boolean transportProto(XtEntryMatch m) {
    return switch (m.name()) {
      case "tcp", "udp", "udplite", "icmp" -> true;
      default -> false;
    };
  }

  /**
   * @param transportFirst the first match is tcp/udp/icmp: the protocol test is then that match's
   *     status test (x_tables allows those matches only on their protocol, not inverted)
   */
  private void ipTests(IptIp ip, boolean transportFirst) throws Never {
    address(PacketSummary.SADDR, ip.src(), ip.smsk(), (ip.invflags() & IptIp.INV_SRCIP) != 0);
    address(PacketSummary.DADDR, ip.dst(), ip.dmsk(), (ip.invflags() & IptIp.INV_DSTIP) != 0);
    iface(PacketSummary.IN, ip.iniface(), ip.inifaceMask(), (ip.invflags() & IptIp.INV_VIA_IN));
    iface(PacketSummary.OUT, ip.outiface(), ip.outifaceMask(), ip.invflags() & IptIp.INV_VIA_OUT);
    fragment(ip);
    if (transportFirst) {
      transportStatus(ip.proto());
    } else {
      proto(ip);
    }
  }

  /** NF_INVF(INV, (addr & msk) != ip): the entry fails when that holds. */
  private void address(int slot, int value, int mask, boolean inv) throws Never {
    if ((value & ~mask) != 0 || mask == 0) {
      boolean mismatch = (value & ~mask) != 0 || value != 0;
      if (mismatch != inv) {
        throw new Never();
      }
      return;
    }
    load(slot);
    if (mask != -1) {
      e.alu32(Insn.AND, R1, Integer.reverseBytes(mask));
    }
    differs(Integer.reverseBytes(value), inv);
  }

  /** ifname_compare_aligned over the four u32 quarters the mask covers. */
  private void iface(int slot, String name, byte[] mask, int inv) throws Never {
    byte[] n = new byte[IptIp.IFNAMSIZ];
    byte[] s = name.getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(s, 0, n, 0, Math.min(s.length, n.length));
    java.nio.ByteBuffer nb = Abi.wrap(n);
    java.nio.ByteBuffer mb = Abi.wrap(mask);
    List<int[]> quarters = new ArrayList<>(); // {offset, mask, masked name}
    for (int q = 0; q < 4; q++) {
      int m = mb.getInt(4 * q);
      if (m != 0) {
        quarters.add(new int[] {slot + 4 * q, m, nb.getInt(4 * q) & m});
      }
    }
    if (quarters.isEmpty()) {
      if (inv != 0) {
        throw new Never();
      }
      return;
    }
    e.mov(R2, 0);
    for (int[] q : quarters) {
      load(q[0]);
      if (q[1] != -1) {
        e.alu32(Insn.AND, R1, q[1]);
      }
      e.alu32(Insn.XOR, R1, q[2]).aluReg(Insn.OR, R2, R1);
    }
    if (inv != 0) {
      isZero(R2);
    }
    fail(R2);
  }

  /** NF_INVF(INV_FRAG, (flags & F_FRAG) && !isfrag). */
  private void fragment(IptIp ip) throws Never {
    boolean inv = (ip.invflags() & IptIp.INV_FRAG) != 0;
    if ((ip.flags() & IptIp.F_FRAG) == 0) {
      if (inv) {
        throw new Never();
      }
      return;
    }
    load(PacketSummary.FRAG);
    if (!inv) {
      isZero(R1); // -f fails on offset 0
    }
    fail(R1);
  }

  /**
   * The protocol test. With a tcp/udp/icmp match (which x_tables only allows on that protocol, not
   * inverted) it is merged with that match's transport status check.
   */
  private void proto(IptIp ip) {
    if (ip.proto() == 0) {
      return;
    }
    boolean inv = (ip.invflags() & IptIp.INV_PROTO) != 0;
    load(PacketSummary.PROTO);
    differs(ip.proto(), inv);
  }

  /**
   * The first tcp/udp/icmp match's own start: a fragment fails it, a hotdrop status drops the
   * packet. The protocol is known to be {@code proto} (the ipt_ip test above).
   */
  private void transportStatus(int proto) {
    if (statusChecked) {
      return;
    }
    statusChecked = true;
    flushStub();
    Label stub = e.label("hotdrop_check");
    boolean withIpPart = pending;
    if (withIpPart) {
      e.movReg(R4, R3);
    }
    load(PacketSummary.L4P);
    if (eager) {
      flushTo = stub; // differs jumps there at once
      differs(proto, false);
    } else {
      differs(proto, false);
      flushTo = stub;
    }
    stubs.add(
        () -> {
          e.bind(stub);
          e.ldx(Insn.W, R1, R9, PacketSummary.L4P);
          e.jmp32(Insn.JNE, R1, (PacketSummary.STATUS_HOTDROP << 8) | proto, next);
          if (withIpPart) {
            e.jmp(Insn.JNE, R4, 0, next);
          }
          e.mov(R0, 0).exit();
        });
  }

  private void match(IptIp ip, XtEntryMatch m) throws Refusal, Never {
    java.nio.ByteBuffer d = Abi.wrap(m.data());
    switch (m.name()) {
      case "tcp" -> {
        XtTcp t = XtTcp.decode(d);
        transportStatus(IPPROTO_TCP);
        range(
            PacketSummary.SPORT, t.sptMin(), t.sptMax(), 0xffff, (t.inv() & XtTcp.INV_SRCPT) != 0);
        range(
            PacketSummary.DPORT, t.dptMin(), t.dptMax(), 0xffff, (t.inv() & XtTcp.INV_DSTPT) != 0);
        tcpFlags(t);
        TcpOptionScan.test(this, t);
      }
      case "udp", "udplite" -> {
        XtUdp u = XtUdp.decode(d);
        transportStatus(ip.proto());
        range(
            PacketSummary.SPORT, u.sptMin(), u.sptMax(), 0xffff, (u.inv() & XtUdp.INV_SRCPT) != 0);
        range(
            PacketSummary.DPORT, u.dptMin(), u.dptMax(), 0xffff, (u.inv() & XtUdp.INV_DSTPT) != 0);
      }
      case "icmp" -> icmp(IptIcmp.decode(d));
      case "limit" -> LimitMatch.emit(this);
      case "recent" -> RecentMatch.emit(this, d);
      case "owner" -> OwnerMatch.emit(this, d);
      case "addrtype" -> AddrtypeMatch.emit(this, m, d);
      case "multiport" -> PortMatches.multiport(this, d);
      case "iprange" -> IpHeaderMatches.iprange(this, d);
      case "length" -> IpHeaderMatches.length(this, d);
      case "ttl" -> IpHeaderMatches.ttl(this, d);
      case "tos" -> IpHeaderMatches.tos(this, d);
      case "dscp" -> IpHeaderMatches.dscp(this, d);
      case "mark" -> SkbMatches.mark(this, d);
      case "pkttype" -> SkbMatches.pkttype(this, d);
      case "comment" -> {} // always matches
      case "conntrack", "state" -> ConntrackTests.emit(e, m, this::fail);
      default -> throw new Refusal("match " + m.name());
    }
  }

  /** port_match: (min <= v && v <= max) ^ invert must hold. */
  void range(int slot, int min, int max, int full, boolean inv) throws Never {
    if (min > max) {
      if (!inv) {
        throw new Never();
      }
      return;
    }
    if (min == 0 && max == full) {
      if (inv) {
        throw new Never();
      }
      return;
    }
    load(slot);
    if (min == max) {
      differs(min, inv);
      return;
    }
    // r1 = v - min and r2 = (max - min) - r1 (64-bit, |v|, |min|, |max| < 2^16): v is outside
    // [min, max] when either is negative.
    int out;
    if (min > 0) {
      e.alu(Insn.ADD, R1, -min);
    }
    if (max == full) {
      out = R1; // v > max cannot be
    } else {
      e.mov(R2, max - min).aluReg(Insn.SUB, R2, R1);
      if (min > 0) {
        e.aluReg(Insn.OR, R2, R1);
      }
      out = R2;
    }
    e.alu(Insn.RSH, out, 63);
    if (inv) {
      e.alu(Insn.XOR, out, 1);
    }
    fail(out);
  }

  /** NF_INVF(INV_FLAGS, (th[13] & flg_mask) == flg_cmp) must hold. */
  private void tcpFlags(XtTcp t) throws Never {
    boolean inv = (t.inv() & XtTcp.INV_FLAGS) != 0;
    if (t.flgMask() == 0) {
      if ((t.flgCmp() == 0) == inv) {
        throw new Never();
      }
      return;
    }
    if ((t.flgCmp() & ~t.flgMask()) != 0) {
      if (!inv) {
        throw new Never();
      }
      return;
    }
    load(PacketSummary.TCPFLAGS);
    e.alu32(Insn.AND, R1, t.flgMask());
    differs(t.flgCmp(), inv);
  }

  /** icmp_type_code_match: (type == 0xff || (type == t && min <= code <= max)) ^ invert. */
  private void icmp(IptIcmp c) throws Never {
    transportStatus(IPPROTO_ICMP);
    boolean inv = (c.inv() & IptIcmp.INV) != 0;
    if (c.type() == IptIcmp.ANY_TYPE) {
      if (inv) {
        throw new Never();
      }
      return;
    }
    flush(); // the type and code tests below branch
    if (!inv) {
      load(PacketSummary.ITYPE);
      jump32(Insn.JNE, c.type(), next);
      icmpCode(c.codeMin(), c.codeMax());
      return;
    }
    // Fails only when the type is t and the code is within the range.
    if (c.codeMin() > c.codeMax()) {
      return;
    }
    Label passes = e.label("icmp_other");
    load(PacketSummary.ITYPE);
    jump32(Insn.JNE, c.type(), passes);
    if (c.codeMin() == 0 && c.codeMax() == 0xff) {
      e.ja(next);
    } else {
      load(PacketSummary.ICODE);
      if (c.codeMin() == c.codeMax()) {
        jump32(Insn.JEQ, c.codeMin(), next);
      } else {
        if (c.codeMin() > 0) {
          jump32(Insn.JLT, c.codeMin(), passes);
        }
        jump32(c.codeMax() < 0xff ? Insn.JLE : Insn.JA, c.codeMax(), next);
      }
    }
    e.bind(passes);
  }

  /** The code test of a non-inverted icmp match, as branches to the next entry. */
  private void icmpCode(int min, int max) {
    if (min == 0 && max == 0xff) {
      return;
    }
    load(PacketSummary.ICODE);
    if (min > 0) {
      jump32(Insn.JLT, min, next);
    }
    if (max < 0xff) {
      jump32(Insn.JGT, max, next);
    }
  }

  /**
   * r1 (a zero-extended u32) against {@code value}: fails when it differs, or when equal if inv.
   */
  void differs(int value, boolean inv) {
    if (eager) {
      jump32(inv ? Insn.JEQ : Insn.JNE, value, flushTo);
      flushTo = next;
      return;
    }
    e.alu32(Insn.XOR, R1, value);
    if (inv) {
      isZero(R1);
    }
    fail(R1);
  }

  /** reg (a non-negative 64-bit value) becomes 1 when it was 0, else 0. */
  void isZero(int reg) {
    e.alu(Insn.ADD, reg, -1).alu(Insn.RSH, reg, 63);
  }

  /** ORs a failure value (non-zero: the test fails) into r3. */
  void fail(int reg) {
    if (eager) {
      anyJump = true;
      branches++;
      e.jmp(Insn.JNE, reg, 0, flushTo);
      flushTo = next;
      return;
    }
    if (pending) {
      e.aluReg(Insn.OR, R3, reg);
    } else {
      e.movReg(R3, reg);
      pending = true;
    }
  }

  /** Leaves for the next entry (or the hotdrop stub) when any test since the last flush failed. */
  void flush() {
    if (!pending) {
      return;
    }
    pending = false;
    anyJump = true;
    branches++;
    e.jmp(Insn.JNE, R3, 0, flushTo);
    flushTo = next; // from here on the status is known to be usable
  }

  /** Flushes when a status stub is pending, so that a new stub does not hide it. */
  private void flushStub() {
    if (flushTo != next) {
      flush();
    }
  }

  /**
   * A match's own status check, as transportStatus for tcp/udp/icmp: {@code failValue} leaves in r1
   * a value that is non-zero when the match cannot examine the packet (false or hotdrop); {@code
   * goesOn} is emitted in the stub, where it jumps to {@link #next} unless the packet is to be
   * dropped (the ipt_ip part and earlier matches are known to have passed when it falls through).
   */
  void status(Runnable failValue, Runnable goesOn) {
    flushStub();
    Label stub = e.label("status_check");
    boolean withEarlier = pending;
    if (withEarlier) {
      e.movReg(R4, R3);
    }
    failValue.run();
    if (eager) {
      flushTo = stub;
      fail(R1);
    } else {
      fail(R1);
      flushTo = stub;
    }
    stubs.add(
        () -> {
          e.bind(stub);
          goesOn.run();
          if (withEarlier) {
            e.jmp(Insn.JNE, R4, 0, next);
          }
          e.mov(R0, 0).exit();
        });
  }

  /** Drops the packet when r1 is non-zero and every test before this point passed. */
  void hotdropIf(int reg) {
    flush();
    Label drop = e.label("hotdrop");
    anyJump = true;
    branches++;
    e.jmp(Insn.JNE, reg, 0, drop);
    stubs.add(
        () -> {
          e.bind(drop);
          e.mov(R0, 0).exit();
        });
  }

  boolean transportChecked() {
    return statusChecked;
  }

  void load(int slot) {
    e.ldx(Insn.W, R1, R9, summary(slot));
  }

  /** The summary slot {@code slot}, which this hook's prologue must fill (SummaryReads). */
  int summary(int slot) {
    if (!context.reads().fills(slot)) {
      throw new IllegalStateException("summary slot " + slot + " read but not in SummaryReads");
    }
    return slot;
  }

  void jump32(int op, int imm, Label to) {
    anyJump = true;
    branches++;
    if (op == Insn.JA) {
      e.ja(to);
    } else {
      e.jmp32(op, R1, imm, to);
    }
  }
}

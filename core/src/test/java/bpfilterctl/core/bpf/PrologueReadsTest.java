package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.insn.Emitter;
import bpfilterctl.core.bpf.insn.Insn;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The prologue reads of a packet only what the rules its hook can reach test: a table without mark,
 * pkttype, ttl, tos, length, interface or conntrack rules loads none of those fields, a rule that
 * tests one adds its read to the programs of the hooks that reach it (through user chains too) and
 * to no other, and there it matches as the kernel's match does.
 */
@Timeout(120)
class PrologueReadsTest extends FilterBedTest {
  static final int IN = FilterProgramTest.IN;
  static final int OUT = FilterProgramTest.OUT;
  static final int DROP = FilterProgramTest.DROP;
  static final int ACCEPT = FilterProgramTest.ACCEPT;
  static final int A = FilterProgramTest.A;
  static final int B = FilterProgramTest.B;

  static final String[] PLAIN = {
    "-A INPUT -s 10.9.9.9 -p udp --dport 53 -j DROP",
    "-A INPUT -p udp --dport 9000 -j ACCEPT",
    "-A OUTPUT -p tcp --dport 22 -j ACCEPT",
  };

  /** A rule with every match the prologue reads a field for (`-o` also reads the devices). */
  static final String EVERY_FIELD =
      "-p tcp -m tcp --tcp-option 2 -m mark --mark 7 -m pkttype --pkt-type broadcast -m ttl --ttl-eq 9 -m tos --tos 0x10"
          + " -m length --length 99 -m conntrack --ctstate NEW -j DROP";

  @Test
  void aPlainTableReadsNoOptionalField() throws Exception {
    bed.rules(PLAIN).load();
    for (int hook : new int[] {IN, OUT}) {
      List<Insn> p = bed.program(hook);
      assertThat(reads(p, SKB, Insn.W, FilterBed.KERNEL.skbMark())).as("skb->mark").isFalse();
      assertThat(reads(p, SKB, Insn.B, FilterBed.KERNEL.skbPktType() / 8)).as("pkt_type").isFalse();
      assertThat(reads(p, STATE, Insn.DW, FilterBed.KERNEL.stateIn())).as("state->in").isFalse();
      assertThat(reads(p, STATE, Insn.DW, FilterBed.KERNEL.stateOut())).as("state->out").isFalse();
      FilterBed.KERNEL
          .conntrack()
          .ifPresent(c -> assertThat(reads(p, SKB, Insn.DW, c.skbNfct())).as("_nfct").isFalse());
    }
  }

  @Test
  void aRuleAddsItsReadsOnlyToTheHooksThatReachIt() throws Exception {
    bed.rules(PLAIN).load();
    List<Insn> plainIn = bed.program(IN);
    List<Insn> plainOut = bed.program(OUT);

    // the same table with the rule in a chain that only OUTPUT jumps to
    bed.close();
    bed = new FilterBed();
    bed.rules(PLAIN);
    bed.rules("-N out-only", "-A out-only -o lo " + EVERY_FIELD, "-I OUTPUT 1 -j out-only");
    bed.load();
    assertThat(bed.program(IN)).as("INPUT cannot reach the rule").isEqualTo(plainIn);
    List<Insn> out = bed.program(OUT);
    assertThat(out.size()).isGreaterThan(plainOut.size());
    assertThat(reads(out, SKB, Insn.W, FilterBed.KERNEL.skbMark())).as("skb->mark").isTrue();
    assertThat(reads(out, SKB, Insn.B, FilterBed.KERNEL.skbPktType() / 8)).as("pkt_type").isTrue();
    assertThat(reads(out, STATE, Insn.DW, FilterBed.KERNEL.stateOut())).as("state->out").isTrue();
    assertThat(reads(out, STATE, Insn.DW, FilterBed.KERNEL.stateIn())).as("no -i").isFalse();
    FilterBed.KERNEL
        .conntrack()
        .ifPresent(c -> assertThat(reads(out, SKB, Insn.DW, c.skbNfct())).as("_nfct").isTrue());
  }

  @Test
  void fieldsReadForAChainMatchAsTheKernelDoes() throws Exception {
    // ttl_mt, tos_mt (tos & mask == value), length_mt (tot_len in [min, max]), mark_mt (a test
    // run's mark is 0), each in a chain INPUT jumps to; the rest of the table reads none of them
    bed.rules(
            "-N fields",
            "-A fields -m ttl --ttl-eq 9 -j DROP",
            "-A fields -m tos --tos 0x10/0x3f -j DROP",
            "-A fields -m length --length 99:120 -j DROP",
            "-A fields -m mark ! --mark 0 -j DROP",
            "-A fields -m dscp --dscp 0x2e -j DROP",
            "-A INPUT -p udp -j fields",
            "-A INPUT -p udp -j ACCEPT",
            "-P INPUT DROP")
        .load();
    byte[] plain = MatchProgramTest.ip(0, 64, Packets.UDP, 0, MatchProgramTest.udpPayload(1, 2, 8));
    assertThat(bed.verdict(IN, plain)).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, withTtl(plain, 9))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, withTtl(plain, 10))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, withTos(plain, 0x50))).as("0x50 & 0x3f = 0x10").isEqualTo(DROP);
    assertThat(bed.verdict(IN, withTos(plain, 0x20))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, withTos(plain, 0xb8))).as("dscp 0x2e").isEqualTo(DROP);
    for (int size : new int[] {78, 79, 100, 101}) { // tot_len 20 + size
      byte[] p =
          MatchProgramTest.ip(0, 64, Packets.UDP, 0, MatchProgramTest.udpPayload(1, 2, size));
      boolean inRange = p.length >= 99 && p.length <= 120;
      assertThat(bed.verdict(IN, p)).as("length %d", p.length).isEqualTo(inRange ? DROP : ACCEPT);
    }
    assertThat(bed.program(OUT).size()).isLessThan(bed.program(IN).size());
  }

  private static byte[] withTtl(byte[] p, int ttl) {
    byte[] q = p.clone();
    q[8] = (byte) ttl;
    return q;
  }

  private static byte[] withTos(byte[] p, int tos) {
    byte[] q = p.clone();
    q[1] = (byte) tos;
    return q;
  }

  /** The registers where the prologue holds the sk_buff and nf_hook_state pointers. */
  static final int SKB = Emitter.R7;

  static final int STATE = Emitter.R6;

  /** A load of that size at that offset from the object in register {@code from}. */
  private static boolean reads(List<Insn> program, int from, int size, int off) {
    int code = Insn.LDX | Insn.MEM | size;
    return program.stream().anyMatch(i -> i.code() == code && i.src() == from && i.off() == off);
  }
}

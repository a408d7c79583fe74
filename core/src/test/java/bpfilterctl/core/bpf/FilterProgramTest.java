package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compiled filter tables run on crafted packets (BPF_PROG_TEST_RUN): each verdict is what
 * ip_tables' ipt_do_table decides for that table and packet.
 */
@Timeout(60)
class FilterProgramTest extends FilterBedTest {
  static final int IN = 1;
  static final int FWD = 2;
  static final int OUT = 3;
  static final int DROP = 0;
  static final int ACCEPT = 1;

  static final int A = addr(10, 0, 0, 1);
  static final int B = addr(10, 0, 0, 2);
  static final int C = addr(192, 168, 7, 9);

  @Test
  void emptyTableAcceptsAndCountsThePolicy() throws Exception {
    bed.load();
    byte[] p = Packets.udp(A, B, 1000, 53);
    assertThat(bed.verdict(IN, p)).isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, p)).isEqualTo(ACCEPT);
    // entries: INPUT policy 0, FORWARD policy 1, OUTPUT policy 2, ERROR 3
    assertThat(bed.counter(0)).containsExactly(1, p.length);
    assertThat(bed.counter(2)).containsExactly(1, p.length);
    assertThat(bed.counter(1)).containsExactly(0, 0);
  }

  @Test
  void sourceAndDestinationWithMasksAndInversion() throws Exception {
    bed.rules(
            "-A INPUT -s 10.0.0.1 -j DROP",
            "-A INPUT -d 192.168.0.0/16 -j DROP",
            "-A INPUT ! -s 10.0.0.0/8 -j ACCEPT",
            "-A INPUT -d 10.0.0.3 -j ACCEPT",
            "-P INPUT DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1, 2))).as("-s A").isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(B, C, 1, 2))).as("-d 192.168/16").isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(C, B, 1, 2))).as("! -s 10/8").isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(B, addr(10, 0, 0, 3), 1, 2))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(B, addr(10, 0, 0, 4), 1, 2)))
        .as("policy")
        .isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isEqualTo(1);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.counter(4)[0]).as("INPUT policy").isEqualTo(1);
  }

  @Test
  void interfacesWithWildcardsAndInversion() throws Exception {
    // bpf_prog_test_run_nf fills the devices for its default hook (LOCAL_OUT) whatever hook it is
    // asked for: every run has no input device and the loopback device as output. A missing device
    // compares as the all-zero name, as in ip_tables.
    bed.rules(
            "-A INPUT -i eth+ -j DROP",
            "-A INPUT -i lo -j DROP",
            "-A INPUT ! -i lo -p udp --dport 1 -j DROP",
            "-A INPUT ! -i l+ -p udp --dport 2 -j DROP",
            "-A OUTPUT -o lo -p udp --dport 1 -j DROP",
            "-A OUTPUT -o l+ -p udp --dport 2 -j DROP",
            "-A OUTPUT ! -o lo2 -p udp --dport 3 -j DROP",
            "-A OUTPUT ! -o lo+ -j DROP",
            "-A OUTPUT -o eth0 -j DROP",
            "-A FORWARD -o lo -p udp --dport 1 -j DROP",
            "-A FORWARD -i lo -j DROP",
            "-A FORWARD ! -o lo -j DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 9, 1))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 9, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 9, 3))).isEqualTo(ACCEPT);
    assertThat(bed.counter(0)[0]).as("-i eth+").isZero();
    assertThat(bed.counter(1)[0]).as("-i lo").isZero();
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 1))).isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 3))).isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 4))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(FWD, Packets.udp(A, B, 9, 1))).isEqualTo(DROP);
    assertThat(bed.verdict(FWD, Packets.udp(A, B, 9, 2))).isEqualTo(ACCEPT);
  }

  @Test
  void protocolAndItsInversion() throws Exception {
    bed.rules("-A INPUT -p tcp -j ACCEPT", "-A INPUT ! -p udp -j DROP", "-A INPUT -p 17 -j DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 2, 0x02))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.icmp(A, B, 8, 0))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).as("! -p udp").isEqualTo(1);
    assertThat(bed.counter(2)[0]).as("-p 17").isEqualTo(1);
  }

  @Test
  void fragmentsAndInvertedFragments() throws Exception {
    bed.rules("-A INPUT -f -j DROP", "-A OUTPUT ! -f -j DROP").load();
    byte[] second = Packets.ip(A, B, Packets.UDP, 5, new byte[16]); // offset 5 x 8 bytes
    byte[] first = Packets.ip(A, B, Packets.UDP, 0x2000, new byte[16]); // MF set, offset 0
    assertThat(bed.verdict(IN, second)).isEqualTo(DROP);
    assertThat(bed.verdict(IN, first)).as("a first fragment is not -f").isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, second)).isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, first)).isEqualTo(DROP);
  }

  @Test
  void udpPortsRangesAndInversion() throws Exception {
    bed.rules(
            "-A INPUT -p udp --dport 53 -j ACCEPT",
            "-A INPUT -p udp --sport 1000:2000 -j DROP",
            "-A INPUT -p udp ! --dport 1:1023 -j ACCEPT",
            "-A INPUT -p udp ! --sport 5 -j DROP",
            "-P INPUT DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1500, 53))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1500, 54))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 999, 4000))).isEqualTo(ACCEPT);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 2001, 80))).isEqualTo(DROP);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 5, 80))).as("policy").isEqualTo(DROP);
    assertThat(bed.counter(4)[0]).isEqualTo(1);
  }

  @Test
  void tcpPortsAndFlags() throws Exception {
    bed.rules(
            "-A INPUT -p tcp --syn -j DROP",
            "-A INPUT -p tcp --tcp-flags SYN,ACK ACK --dport 22 -j ACCEPT",
            "-A INPUT -p tcp ! --tcp-flags FIN,RST NONE -j DROP",
            "-A INPUT -p tcp --sport 10:20 ! --dport 80 -j DROP")
        .load();
    int syn = 0x02;
    int ack = 0x10;
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 22, syn))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 22, syn | ack)))
        .as("SYN,ACK is not --syn")
        .isEqualTo(ACCEPT); // falls through to the policy
    assertThat(bed.counter(1)[0]).as("SYN+ACK does not match ACK only").isZero();
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 22, ack))).isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 23, ack | 0x01))).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 15, 81, ack))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 15, 80, ack))).isEqualTo(ACCEPT);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
  }

  @Test
  void transportMatchesOnFragmentsAndTruncatedHeaders() throws Exception {
    bed.rules(
            "-A INPUT -p tcp --dport 1 -j ACCEPT",
            "-A INPUT -p udp -m udp -j ACCEPT",
            "-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT",
            "-A INPUT -j ACCEPT")
        .load();
    // a tcp fragment at offset 1: hotdrop, no counter
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.TCP, 1, new byte[20]))).isEqualTo(DROP);
    // at offset 2: the match is false, the packet goes on
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.TCP, 2, new byte[20]))).isEqualTo(ACCEPT);
    // tcp header cut short (12 bytes): hotdrop
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.TCP, 0, new byte[12]))).isEqualTo(DROP);
    // udp with 4 bytes: hotdrop; udp fragment: no match, no drop
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.UDP, 0, new byte[4]))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.UDP, 1, new byte[4]))).isEqualTo(ACCEPT);
    // icmp with 8 bytes matches, with 6 hotdrops
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.ICMP, 0, new byte[8]))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.ip(A, B, Packets.ICMP, 0, new byte[6]))).isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isZero();
    assertThat(bed.counter(1)[0]).isZero();
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.counter(3)[0]).as("tcp offset 2, udp fragment").isEqualTo(2);
  }

  @Test
  void icmpTypesCodesAndInversion() throws Exception {
    bed.rules(
            "-A INPUT -p icmp --icmp-type echo-request -j ACCEPT",
            "-A INPUT -p icmp --icmp-type host-unreachable -j DROP",
            "-A INPUT -p icmp ! --icmp-type destination-unreachable -j DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.icmp(A, B, 8, 0))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.icmp(A, B, 3, 1))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.icmp(A, B, 3, 3)))
        .as("other code of type 3")
        .isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.icmp(A, B, 0, 0))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
  }

  @Test
  void userChainsReturnGotoAndCounters() throws Exception {
    bed.rules(
            "-N web",
            "-N deny",
            "-A web -p tcp --dport 80 -j ACCEPT",
            "-A web -p tcp --dport 81 -j deny",
            "-A web -p tcp --dport 82 -j RETURN",
            "-A web -p tcp --dport 83 -g deny",
            "-A deny -p tcp --sport 7 -j RETURN",
            "-A deny -j DROP",
            "-A INPUT -s 10.0.0.0/8 -j web",
            "-A INPUT -p tcp --dport 83 -j DROP",
            "-A INPUT -p tcp -j ACCEPT",
            "-P INPUT DROP")
        .load();
    // entries: INPUT 0..2, policy 3, FORWARD policy 4, OUTPUT policy 5,
    // deny: head 6, 7 (sport 7 RETURN), 8 (DROP), end 9; web: head 10, 11..14, end 15; ERROR 16
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 80, 0x10))).isEqualTo(ACCEPT);
    assertThat(bed.counter(11)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 81, 0x10)))
        .as("web -> deny -> DROP")
        .isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 7, 81, 0x10)))
        .as("deny returns to web, web ends, INPUT accepts tcp")
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(15)[0]).as("web's implicit RETURN").isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 82, 0x10)))
        .as("RETURN, then -p tcp ACCEPT")
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(13)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 7, 83, 0x10)))
        .as("goto deny, its RETURN returns past web: INPUT's --dport 83 DROP")
        .isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(C, B, 1, 2))).as("policy").isEqualTo(DROP);
    assertThat(bed.counter(3)).containsExactly(1, 32);
    assertThat(bed.counter(0)[0]).as("jumps to web").isEqualTo(5);
    assertThat(bed.counter(7)[0]).as("deny's RETURN").isEqualTo(2);
    assertThat(bed.counter(8)[0]).as("deny's DROP").isEqualTo(1);
    assertThat(bed.counter(2)[0]).isEqualTo(2);
  }

  @Test
  void returnInABuiltinChainGoesToThePolicy() throws Exception {
    bed.rules("-A OUTPUT -p udp -j RETURN", "-A OUTPUT -j ACCEPT", "-P OUTPUT DROP").load();
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.tcp(A, B, 1, 2, 0))).isEqualTo(ACCEPT);
    // entries: INPUT policy 0, FORWARD policy 1, OUTPUT 2, 3, policy 4
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.counter(4)[0]).isEqualTo(1);
  }

  @Test
  void bytesCountSkbLen() throws Exception {
    bed.rules("-A INPUT -p udp -j ACCEPT").load();
    byte[] p = Packets.ip(A, B, Packets.UDP, 0, new byte[100]);
    bed.verdict(IN, p);
    bed.verdict(IN, p);
    assertThat(bed.counter(0)).containsExactly(2, 2L * p.length);
  }
}

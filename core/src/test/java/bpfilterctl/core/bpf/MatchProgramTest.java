package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.Refusal;
import bpfilterctl.core.iptables.ext.IcmpMatch;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptIcmp;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The matches beyond tcp/udp/icmp ports, compiled and run on crafted packets (BPF_PROG_TEST_RUN):
 * multiport, iprange, mark, comment, length, ttl, tos, dscp, pkttype, tcp --tcp-option and every
 * icmp type name, each with its {@code !} and edge values. Every expected verdict and counter is
 * what the kernel's match function gives for that packet (quoted beside the case).
 */
@Timeout(120)
class MatchProgramTest extends FilterBedTest {
  static final int IN = FilterProgramTest.IN;
  static final int OUT = FilterProgramTest.OUT;
  static final int DROP = FilterProgramTest.DROP;
  static final int ACCEPT = FilterProgramTest.ACCEPT;
  static final int A = FilterProgramTest.A;
  static final int B = FilterProgramTest.B;

  /** An IPv4 packet with the given tos and ttl (total length as built). */
  static byte[] ip(int tos, int ttl, int proto, int frag, byte[] payload) {
    byte[] p = Packets.ip(A, B, proto, frag, payload);
    p[1] = (byte) tos;
    p[8] = (byte) ttl;
    return p;
  }

  static byte[] udpPayload(int sport, int dport, int size) {
    ByteBuffer u = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
    if (size >= 2) {
      u.putShort(0, (short) sport);
    }
    if (size >= 4) {
      u.putShort(2, (short) dport);
    }
    return u.array();
  }

  /** A TCP header of 20 bytes + options (data offset as given), then {@code extra} bytes. */
  static byte[] tcpWithOptions(int doff, int[] options, int extra, int dport) {
    ByteBuffer t = ByteBuffer.allocate(20 + options.length + extra).order(ByteOrder.BIG_ENDIAN);
    t.putShort(0, (short) 1000).putShort(2, (short) dport);
    t.put(12, (byte) (doff << 4));
    t.put(13, (byte) 0x10);
    for (int i = 0; i < options.length; i++) {
      t.put(20 + i, (byte) options[i]);
    }
    return Packets.ip(A, B, Packets.TCP, 0, t.array());
  }

  static int[] padded(int... opts) {
    int[] p = new int[(opts.length + 3) / 4 * 4];
    System.arraycopy(opts, 0, p, 0, opts.length);
    return p;
  }

  static byte[] tcpOpts(int... opts) {
    int[] p = padded(opts);
    return tcpWithOptions(5 + p.length / 4, p, 0, 1);
  }

  @Test
  void multiportPortsRangesEdgesAndInversion() throws Exception {
    bed.rules(
            "-A INPUT -p udp -m multiport --dports 0,65535 -j DROP",
            "-A INPUT -p udp -m multiport --sports 10:20,30 -j DROP",
            "-A INPUT -p udp -m multiport ! --ports 1:100,200 -j DROP",
            "-A INPUT -p tcp -m multiport --dports 65000:65535 -j DROP",
            "-A INPUT -p tcp -m multiport --ports 0:1 -j DROP",
            "-A INPUT -j ACCEPT")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 500, 0))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 500, 65535))).isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isEqualTo(2);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 10, 50))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 20, 50))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 30, 50))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(3);
    // 21 and 29 are outside --sports; then ! --ports: a port in 1:100 or 200 fails it
    assertThat(bed.verdict(IN, Packets.udp(A, B, 21, 500))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 300, 200))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 300, 400))).as("neither port").isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 65535, 0))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 2, 64999, 0))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 0, 64999, 0))).as("port 0").isEqualTo(DROP);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.counter(4)[0]).isEqualTo(1);
    assertThat(bed.counter(5)[0]).isEqualTo(3);
  }

  @Test
  void multiportFragmentsAreFalseAndUnderFourBytesHotdrop() throws Exception {
    bed.rules(
            "-A INPUT -p udp -m multiport --dports 1 -j DROP",
            "-A INPUT -p tcp -m multiport ! --dports 1 -j DROP",
            "-A INPUT -j ACCEPT")
        .load();
    // multiport_mt: fragoff != 0 is false (even a TCP fragment at offset 1: no hotdrop here)
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 1, udpPayload(1, 1, 8)))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.TCP, 1, new byte[20]))).isEqualTo(ACCEPT);
    assertThat(bed.counter(2)[0]).isEqualTo(2);
    // 4 bytes are enough for the ports (the udp match would hotdrop under 8)
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 0, udpPayload(7, 1, 4)))).isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 0, udpPayload(7, 2, 4)))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.TCP, 0, udpPayload(7, 2, 4))))
        .as("! --dports 1 with 4 bytes of tcp")
        .isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    // 3 bytes: hotdrop, whatever the inversion, no counter
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 0, udpPayload(7, 0, 3)))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.TCP, 0, new byte[2]))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0, 64, 47, 0, new byte[2]))).as("no multiport").isEqualTo(ACCEPT);
    assertThat(bed.counter(0)[0]).isEqualTo(1);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.counter(2)[0]).isEqualTo(4);
  }

  @Test
  void multiportHotdropsOnlyWhereItIsReached() throws Exception {
    bed.rules(
            "-A INPUT -s 10.0.0.9 -p udp -m multiport --dports 1 -j ACCEPT",
            "-A INPUT -p udp -m multiport --sports 7 -m udp --dport 2 -j ACCEPT",
            "-A INPUT -j DROP",
            "-P INPUT ACCEPT")
        .load();
    // from A: the first rule fails on its address; the second's multiport hotdrops (2 bytes)
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 0, new byte[2]))).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).as("hotdropped before rule 2").isZero();
    // from 10.0.0.9 the first rule's multiport hotdrops
    byte[] tiny9 = Packets.ip(addr(10, 0, 0, 9), B, Packets.UDP, 0, new byte[2]);
    assertThat(bed.verdict(IN, tiny9)).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isZero();
    // 6 bytes: multiport reads the ports; sport 8 fails it, no hotdrop; sport 7 passes it and
    // the udp match hotdrops (under 8 bytes)
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 0, udpPayload(8, 2, 6)))).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.UDP, 0, udpPayload(7, 2, 6)))).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 7, 2))).isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.counter(0)[0]).isZero();
  }

  @Test
  void iprangeSourceDestinationUnsignedEdgesAndInversion() throws Exception {
    bed.rules(
            "-A INPUT -m iprange --src-range 10.0.0.1-10.0.0.5 -j DROP",
            "-A INPUT -m iprange ! --dst-range 0.0.0.0-10.0.0.255 -j DROP",
            "-A INPUT -m iprange --src-range 200.0.0.0-255.255.255.255 -j DROP",
            "-A INPUT -m iprange --src-range 10.0.0.9-10.0.0.9 --dst-range 10.0.0.1-10.0.0.2 -j DROP",
            "-A INPUT -m iprange ! --src-range 0.0.0.0-255.255.255.255 -j DROP",
            "-A INPUT -j ACCEPT")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 1), B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 5), B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isEqualTo(2);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 6), B, 1, 2))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 6), addr(10, 0, 1, 0), 1, 2)))
        .isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 6), addr(0, 0, 0, 0), 1, 2)))
        .as("0.0.0.0 is within the range")
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, Packets.udp(addr(255, 255, 255, 255), B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(addr(200, 0, 0, 0), B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(addr(199, 255, 255, 255), B, 1, 2))).isEqualTo(ACCEPT);
    assertThat(bed.counter(2)[0]).isEqualTo(2);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 9), B, 1, 2))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, Packets.udp(addr(10, 0, 0, 9), addr(10, 0, 0, 3), 1, 2)))
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.counter(4)[0]).as("! of every address").isZero();
  }

  @Test
  void markOfATestRunIsZero() throws Exception {
    bed.rules(
            "-A INPUT -m mark --mark 1 -j DROP",
            "-A INPUT -m mark ! --mark 0/0xff -j DROP",
            "-A INPUT -p udp -m mark --mark 0x0/0xffffffff -j ACCEPT",
            "-A INPUT -m mark --mark 0x10/0x10 -j ACCEPT",
            "-A INPUT -m mark ! --mark 0x5 -j DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1, 2))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.tcp(A, B, 1, 2, 0))).isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isZero();
    assertThat(bed.counter(1)[0]).isZero();
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.counter(3)[0]).isZero();
    assertThat(bed.counter(4)[0]).isEqualTo(1);
  }

  @Test
  void commentAlwaysMatches() throws Exception {
    bed.rules(
            "-A INPUT -p udp -m comment --comment first -m udp --dport 5 -j ACCEPT",
            "-A INPUT -m comment --comment second -j DROP")
        .load();
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1, 5))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1, 6))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
  }

  @Test
  void lengthIsTheIpTotalLengthWithItsBounds() throws Exception {
    bed.rules(
            "-A INPUT -m length --length 0:40 -j DROP",
            "-A INPUT -m length ! --length 41:65535 -j DROP",
            "-A INPUT -m length --length 100 -j DROP",
            "-A INPUT -m length ! --length 41:99 -j ACCEPT",
            "-A INPUT -m length --length 65535 -j DROP",
            "-P INPUT DROP")
        .load();
    assertThat(bed.verdict(IN, ip(0, 64, 47, 0, new byte[20]))).as("40").isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, ip(0, 64, 47, 0, new byte[21]))).as("41: policy").isEqualTo(DROP);
    assertThat(bed.counter(5)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, ip(0, 64, 47, 0, new byte[80]))).as("100").isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, ip(0, 64, 47, 0, new byte[81]))).as("101").isEqualTo(ACCEPT);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    // the header's total length, not the buffer's: 60 bytes that claim 100
    byte[] claims100 = ip(0, 64, 47, 0, new byte[40]);
    claims100[2] = 0;
    claims100[3] = 100;
    assertThat(bed.verdict(IN, claims100)).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(2);
    byte[] claims65535 = ip(0, 64, 47, 0, new byte[40]);
    claims65535[2] = (byte) 0xff;
    claims65535[3] = (byte) 0xff;
    assertThat(bed.verdict(IN, claims65535)).isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isZero();
    assertThat(bed.counter(3)[0]).as("65535 is outside 41:99").isEqualTo(2);
  }

  @Test
  void ttlEqualLessGreaterAndNotEqualAtZeroAnd255() throws Exception {
    bed.rules(
            "-A INPUT -m ttl --ttl-lt 0 -j DROP",
            "-A INPUT -m ttl --ttl-gt 255 -j DROP",
            "-A INPUT -m ttl --ttl-eq 0 -j DROP",
            "-A INPUT -m ttl --ttl-gt 254 -j DROP",
            "-A INPUT -m ttl --ttl-lt 2 -j DROP",
            "-A INPUT -m ttl ! --ttl-eq 254 -j DROP")
        .load();
    assertThat(bed.verdict(IN, ip(0, 0, 47, 0, new byte[4]))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0, 255, 47, 0, new byte[4]))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0, 1, 47, 0, new byte[4]))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0, 2, 47, 0, new byte[4]))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0, 254, 47, 0, new byte[4]))).isEqualTo(ACCEPT);
    assertThat(bed.counter(0)[0]).isZero();
    assertThat(bed.counter(1)[0]).isZero();
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.counter(4)[0]).isEqualTo(1);
    assertThat(bed.counter(5)[0]).isEqualTo(1);
  }

  @Test
  void tosWithMasksAndDscpWithClasses() throws Exception {
    bed.rules(
            "-A INPUT -p udp -m tos --tos 0x10/0x3f -j DROP",
            "-A INPUT -p udp -m tos ! --tos 0x08/0xff -j DROP",
            "-A INPUT -p tcp -m dscp --dscp 0x2e -j DROP",
            "-A INPUT -p tcp -m dscp ! --dscp-class AF11 -j DROP",
            "-A INPUT -p 47 -m dscp --dscp 63 -j DROP",
            "-A INPUT -p 47 -m tos --tos 0/0 -j ACCEPT")
        .load();
    byte[] u = udpPayload(1, 2, 8);
    assertThat(bed.verdict(IN, ip(0x10, 64, Packets.UDP, 0, u))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0x50, 64, Packets.UDP, 0, u))).as("0x50/0x3f").isEqualTo(DROP);
    assertThat(bed.counter(0)[0]).isEqualTo(2);
    assertThat(bed.verdict(IN, ip(0x08, 64, Packets.UDP, 0, u))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, ip(0xff, 64, Packets.UDP, 0, u))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    byte[] t = new byte[20];
    assertThat(bed.verdict(IN, ip(0xb8, 64, Packets.TCP, 0, t))).as("EF").isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0xbb, 64, Packets.TCP, 0, t))).as("EF + ECN").isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(2);
    assertThat(bed.verdict(IN, ip(0x28, 64, Packets.TCP, 0, t))).as("AF11").isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, ip(0x2b, 64, Packets.TCP, 0, t))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.TCP, 0, t))).isEqualTo(DROP);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.verdict(IN, ip(0xfc, 64, 47, 0, t))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, ip(0xfb, 64, 47, 0, t))).isEqualTo(ACCEPT);
    assertThat(bed.counter(4)[0]).isEqualTo(1);
    assertThat(bed.counter(5)[0]).isEqualTo(1);
  }

  /** The verdict at LOCAL_IN for an Ethernet frame to {@code mac} (test_run sets pkt_type). */
  int toMac(byte[] mac, byte[] ipPacket) throws Exception {
    byte[] f = Packets.frame(IN, ipPacket);
    System.arraycopy(mac, 0, f, 0, 6);
    return FilterBed.BPF.testRun(bed.progs.get(IN), f, FilterBed.hookState(IN), 1).retval();
  }

  @Test
  void pkttypeFromTheLinkLayerDestination() throws Exception {
    bed.rules(
            "-A INPUT -m pkttype --pkt-type broadcast -j DROP",
            "-A INPUT -m pkttype --pkt-type multicast -j DROP",
            "-A INPUT -m pkttype ! --pkt-type unicast -j DROP",
            "-A INPUT -m pkttype --pkt-type unicast -j ACCEPT",
            "-A OUTPUT -m pkttype ! --pkt-type unicast -j DROP")
        .load();
    byte[] p = Packets.udp(A, B, 1, 2);
    byte[] bcast = {-1, -1, -1, -1, -1, -1};
    byte[] mcast = {1, 0, 0x5e, 0, 0, 1};
    byte[] other = {2, 0, 0, 0, 0, 1};
    byte[] lo = {0, 0, 0, 0, 0, 0}; // lo's own address: PACKET_HOST
    // eth_type_trans on lo: lo's broadcast address is all zeros, so every multicast address,
    // ff:ff:ff:ff:ff:ff too, is PACKET_MULTICAST; another unicast address is PACKET_OTHERHOST
    assertThat(toMac(bcast, p)).isEqualTo(DROP);
    assertThat(toMac(mcast, p)).isEqualTo(DROP);
    assertThat(toMac(other, p)).isEqualTo(DROP);
    assertThat(toMac(lo, p)).isEqualTo(ACCEPT);
    assertThat(bed.counter(0)[0]).as("broadcast").isZero();
    assertThat(bed.counter(1)[0]).as("multicast").isEqualTo(2);
    assertThat(bed.counter(2)[0]).as("otherhost").isEqualTo(1);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    // LOCAL_OUT: a test run's skb is PACKET_HOST (to a multicast address too: only
    // PACKET_LOOPBACK takes the address into account)
    assertThat(bed.verdict(OUT, Packets.udp(A, addr(224, 0, 0, 1), 1, 2))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, p)).isEqualTo(ACCEPT);
  }

  @Test
  void tcpOptionsWalkedAsTcpFindOptionDoes() throws Exception {
    bed.rules(
            "-A INPUT -p tcp --dport 9 --tcp-option 2 -j ACCEPT",
            "-A INPUT -p tcp --tcp-option 2 -j ACCEPT",
            "-A INPUT -p tcp --tcp-option 8 -j DROP",
            "-A INPUT -p tcp ! --tcp-option 3 -j ACCEPT",
            "-A INPUT -p tcp --tcp-option 7 -j ACCEPT",
            "-A INPUT -p tcp --tcp-option 1 -j DROP",
            "-A INPUT -p tcp -j ACCEPT")
        .load();
    // no options at all: only "! --tcp-option 3" holds
    assertThat(bed.verdict(IN, tcpOpts())).isEqualTo(ACCEPT);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    // MSS
    assertThat(bed.verdict(IN, tcpOpts(2, 4, 5, 0xb4))).isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    // NOP NOP NOP window-scale(3, len 3, value 7): 7 is data, not a kind; 1 is found
    assertThat(bed.verdict(IN, tcpOpts(1, 1, 1, 3, 3, 7))).isEqualTo(DROP);
    assertThat(bed.counter(4)[0]).isZero();
    assertThat(bed.counter(5)[0]).isEqualTo(1);
    // a length of 0 advances by 1: kind 5 len 0, then 0 (EOL, and the walk goes on), then 8
    assertThat(bed.verdict(IN, tcpOpts(5, 0, 8, 10))).isEqualTo(DROP);
    assertThat(bed.counter(2)[0]).isEqualTo(1);
    // kinds past an EOL are still met
    assertThat(bed.verdict(IN, tcpOpts(0, 0, 0, 2))).isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(2);
    // 39 NOPs then kind 2 at the last byte: the walk's 40th step
    int[] nops = new int[40];
    java.util.Arrays.fill(nops, 1);
    nops[39] = 2;
    assertThat(bed.verdict(IN, tcpWithOptions(15, nops, 0, 1))).isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(3);
    // kind 3 at the last byte: its length byte is past the options (in the payload)
    int[] last = new int[40];
    java.util.Arrays.fill(last, 1);
    last[39] = 3;
    assertThat(bed.verdict(IN, tcpWithOptions(15, last, 4, 1))).isEqualTo(DROP);
    assertThat(bed.counter(3)[0]).isEqualTo(1);
    assertThat(bed.counter(5)[0]).isEqualTo(2);
  }

  @Test
  void tcpOptionHotdropsOnShortDataOffsetAndCutOptionsOnlyWhenReached() throws Exception {
    bed.rules(
            "-A INPUT -p tcp --dport 9 --tcp-option 2 -j DROP",
            "-A INPUT -p tcp ! --tcp-option 2 -j ACCEPT",
            "-A INPUT -j ACCEPT",
            "-P INPUT ACCEPT")
        .load();
    // doff 8 (12 option bytes) with 4 present: the first rule fails on its port first, the
    // second reaches the options and hotdrops
    assertThat(bed.verdict(IN, tcpWithOptions(8, padded(1, 1, 1, 1), 0, 1))).isEqualTo(DROP);
    // doff 4 (< 5): hotdrop
    assertThat(bed.verdict(IN, tcpWithOptions(4, new int[0], 0, 1))).isEqualTo(DROP);
    assertThat(bed.counter(1)[0]).isZero();
    assertThat(bed.counter(2)[0]).isZero();
    // the same with 12 option bytes present: no kind 2, so "!" matches
    assertThat(bed.verdict(IN, tcpWithOptions(8, padded(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0), 0, 1)))
        .isEqualTo(ACCEPT);
    assertThat(bed.counter(1)[0]).isEqualTo(1);
    // a UDP packet or a TCP fragment never reaches the options
    assertThat(bed.verdict(IN, Packets.udp(A, B, 1, 9))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, ip(0, 64, Packets.TCP, 2, new byte[20]))).isEqualTo(ACCEPT);
    assertThat(bed.counter(2)[0]).isEqualTo(2);
  }

  @Test
  void aMatchTheCompilerDoesNotKnowIsRefusedByName() throws Exception {
    bed.rules("-A INPUT -p udp -m statistic --mode nth --every 2 --packet 0 -j ACCEPT");
    assertThatThrownBy(() -> FilterCompiler.check(bed.read()))
        .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.isExtension()).isTrue())
        .hasMessage("cannot compile: match statistic (revision 0)");
  }

  @Test
  void everyIcmpTypeNameCompilesToItsTypeAndCodes() throws Exception {
    List<String> names = IcmpMatch.typeNames();
    assertThat(names).hasSizeGreaterThan(30);
    List<String> problems = new ArrayList<>();
    for (String name : names) {
      for (boolean inv : new boolean[] {false, true}) {
        bed.close();
        bed = new FilterBed();
        bed.rules("-A INPUT -p icmp " + (inv ? "! " : "") + "--icmp-type " + name + " -j DROP");
        bed.load();
        XtEntryMatch m = bed.table.entry(0).matches().get(0);
        IptIcmp c = IptIcmp.decode(Abi.wrap(m.data()));
        for (int type : new int[] {c.type(), (c.type() + 1) & 0xff}) {
          for (int code : new int[] {c.codeMin(), c.codeMax(), c.codeMin() - 1, c.codeMax() + 1}) {
            if (code < 0 || code > 0xff) {
              continue;
            }
            // icmp_type_code_match
            boolean match =
                c.type() == 0xff
                    || (type == c.type() && code >= c.codeMin() && code <= c.codeMax());
            int want = (match != inv) ? DROP : ACCEPT;
            int got = bed.verdict(IN, Packets.icmp(A, B, type, code));
            if (got != want) {
              problems.add(name + (inv ? " (!)" : "") + " type " + type + " code " + code);
            }
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }
}

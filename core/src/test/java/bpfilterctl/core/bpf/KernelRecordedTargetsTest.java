package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.compile.TargetEvent;
import bpfilterctl.core.bpf.enforce.LogLineFormatter;
import bpfilterctl.core.bpf.enforce.RejectReply;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The log line formatter and the reply builder against what the kernel produced (Linux 6.18,
 * iptables-legacy in a namespace, RejectLogKernelTest's table and crafted packets, received on s0
 * from 02:00:00:00:00:01): its dmesg lines, and the replies captured on the client's veth with IP
 * id and IP/TCP checksums zeroed (DF replies carry id 0; the TCP checksum is left to offload).
 */
class KernelRecordedTargetsTest {
  private static final String MAC = "02:00:00:00:00:02:02:00:00:00:00:01:08:00";
  private static final List<byte[]> PACKETS = RejectLogKernelTest.crafted();

  /** dmesg -r, the time dropped: one line per crafted packet. */
  private static final List<String> KERNEL_LINES =
      List.of(
          "<4>t9f42b-tcp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=48 TOS=0x00 PREC=0x00 TTL=64 ID=101 DF OPT (01010100)"
              + " PROTO=TCP SPT=40001 DPT=80 SEQ=1000 ACK=0 WINDOW=29200 RES=0x00 SYN URGP=0"
              + " OPT (020405B4) ",
          "<4>t9f42b-tcp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=42 TOS=0x00 PREC=0x00 TTL=64 ID=102 PROTO=TCP"
              + " SPT=40002 DPT=80 SEQ=5000 ACK=7777 WINDOW=500 RES=0x00 ACK PSH URGP=0 ",
          "<4>t9f42b-tcp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=103 PROTO=TCP"
              + " SPT=40003 DPT=80 SEQ=9 ACK=9 WINDOW=0 RES=0x00 ACK RST URGP=0 ",
          "<6>t9f42b-udp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=33 TOS=0x00 PREC=0x00 TTL=64 ID=104 DF PROTO=UDP"
              + " SPT=40004 DPT=53 LEN=13 ",
          "<6>t9f42b-udp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=68 TOS=0x00 PREC=0x00 TTL=64 ID=105 PROTO=UDP"
              + " SPT=40005 DPT=54 LEN=48 ",
          "<6>t9f42b-udp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=728 TOS=0x00 PREC=0x00 TTL=64 ID=106 PROTO=UDP"
              + " SPT=40006 DPT=55 LEN=708 ",
          "<4>t9f42b-icmp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=32 TOS=0x00 PREC=0x00 TTL=64 ID=107 PROTO=ICMP"
              + " TYPE=8 CODE=0 ID=1 SEQ=2 ",
          "<4>t9f42b-icmp: IN=s0 OUT= MAC="
              + MAC
              + " SRC=10.9.0.1 DST=10.9.0.2 LEN=56 TOS=0x00 PREC=0x00 TTL=64 ID=108 PROTO=ICMP"
              + " TYPE=3 CODE=3 [SRC=10.9.0.1 DST=10.9.0.2 LEN=28 TOS=0x00 PREC=0x00 TTL=64 ID=9"
              + " PROTO=UDP SPT=1 DPT=2 LEN=8 ] ");

  /** The rules' LOG level and flags, and REJECT's reject-with, per crafted packet. */
  private static final int[][] RULES = {
    {4, 7, RejectReply.TCP_RESET},
    {4, 7, RejectReply.TCP_RESET},
    {4, 7, RejectReply.TCP_RESET},
    {6, 0, RejectReply.PORT_UNREACHABLE},
    {6, 0, RejectReply.HOST_PROHIBITED},
    {6, 0, RejectReply.NET_UNREACHABLE},
    {4, 0, RejectReply.ADMIN_PROHIBITED},
    {4, 0, RejectReply.ADMIN_PROHIBITED}
  };

  private static final String[] PREFIXES = {
    "tcp: ", "tcp: ", "tcp: ", "udp: ", "udp: ", "udp: ", "icmp: ", "icmp: "
  };

  /** The replies captured on c0; null where the kernel sent none (to a RST, an ICMP error). */
  private static final String[] KERNEL_REPLIES = {
    "4500002800004000400600000a0900020a09000100509c4100000000000003e95014000000000000",
    "4500002800004000400600000a0900020a09000100509c4200001e61000000005004000000000000",
    null,
    "45c0003d00000000400100000a0900020a09000103031130000000004500002100684000401126500a0900010a0900029c440035000dff5d7175657279",
    "45c0006000000000400100000a0900020a090001030a114c0000000045000044006900004011662c0a0900010a0900029c45003600304efe"
        + "00".repeat(40),
    // the 728-byte datagram quoted to fill 576 bytes: its first 548
    "45c0024000000000400100000a0900020a090001030013ea00000000"
        + HexFormat.of().formatHex(PACKETS.get(5), 0, 548),
    "45c0003c00000000400100000a0900020a090001030dfcf20000000045000020006b00004001665e0a0900010a0900020800192c0001000270696e67",
    null
  };

  private static final byte[] MAC_BYTES = HexFormat.of().parseHex(MAC.replace(":", ""));

  private static TargetEvent event(int kind, int i) {
    byte[] p = PACKETS.get(i);
    int[] r = RULES[i];
    return new TargetEvent(
        kind,
        1,
        kind == TargetEvent.LOG ? r[0] : r[2],
        kind == TargetEvent.LOG ? r[1] : 0,
        2 + i,
        p.length,
        0,
        "s0",
        "",
        "t9f42b-" + PREFIXES[i],
        MAC_BYTES,
        1,
        0xffffffffL,
        0xffffffffL,
        0,
        0,
        p);
  }

  @Test
  void logLinesAreTheKernels() {
    for (int i = 0; i < PACKETS.size(); i++) {
      TargetEvent ev = event(TargetEvent.LOG, i);
      assertThat("<" + ev.param() + ">" + LogLineFormatter.format(ev))
          .as("packet %d", i)
          .isEqualTo(KERNEL_LINES.get(i));
    }
  }

  @Test
  void rejectRepliesAreTheKernels() {
    for (int i = 0; i < PACKETS.size(); i++) {
      Optional<byte[]> reply = RejectReply.build(event(TargetEvent.REJECT, i), 64);
      if (KERNEL_REPLIES[i] == null) {
        assertThat(reply).as("packet %d gets no reply", i).isEmpty();
        continue;
      }
      byte[] r = reply.orElseThrow();
      assertThat(validChecksums(r)).as("checksums of reply %d", i).isTrue();
      assertThat(HexFormat.of().formatHex(normalized(r)))
          .as("reply %d", i)
          .isEqualTo(KERNEL_REPLIES[i]);
    }
  }

  @Test
  void noReplyToFragmentsMulticastOrBroadcast() {
    byte[] udp = PACKETS.get(3).clone();
    byte[] fragment = udp.clone();
    fragment[7] = 1; // offset 8 bytes
    byte[] multicast = udp.clone();
    multicast[16] = (byte) 224;
    byte[] broadcast = udp.clone();
    for (int b = 16; b < 20; b++) {
      broadcast[b] = (byte) 0xff;
    }
    for (byte[] p : List.of(fragment, multicast, broadcast)) {
      for (int with : new int[] {RejectReply.PORT_UNREACHABLE, RejectReply.TCP_RESET}) {
        TargetEvent ev =
            new TargetEvent(
                TargetEvent.REJECT,
                1,
                with,
                0,
                2,
                p.length,
                0,
                "s0",
                "",
                "",
                new byte[0],
                0,
                0xffffffffL,
                0xffffffffL,
                0,
                0,
                p);
        assertThat(RejectReply.build(ev, 64)).isEmpty();
      }
    }
    // a UDP packet with tcp-reset: only TCP gets a RST
    TargetEvent ev = event(TargetEvent.REJECT, 3);
    TargetEvent asReset =
        new TargetEvent(
            ev.kind(),
            ev.hook(),
            RejectReply.TCP_RESET,
            0,
            ev.rule(),
            ev.skbLen(),
            0,
            "s0",
            "",
            "",
            new byte[0],
            0,
            ev.uid(),
            ev.gid(),
            0,
            0,
            ev.packet());
    assertThat(RejectReply.build(asReset, 64)).isEmpty();
  }

  /** IP id and checksums zeroed, as KERNEL_REPLIES holds them. */
  static byte[] normalized(byte[] reply) {
    byte[] p = reply.clone();
    int ihl = (p[0] & 0x0f) * 4;
    p[4] = p[5] = 0;
    p[10] = p[11] = 0;
    if (p[9] == 6) {
      p[ihl + 16] = p[ihl + 17] = 0;
    }
    return p;
  }

  /** The IP header's checksum and the TCP (with its pseudo header) or ICMP checksum verify. */
  static boolean validChecksums(byte[] p) {
    int ihl = (p[0] & 0x0f) * 4;
    if (fold(p, 0, ihl, 0) != 0xffff) {
      return false;
    }
    int len = p.length - ihl;
    long pseudo = 0;
    if (p[9] == 6) {
      for (int i = 12; i < 20; i += 2) {
        pseudo += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
      }
      pseudo += 6 + len;
    }
    return fold(p, ihl, len, pseudo) == 0xffff;
  }

  private static int fold(byte[] b, int at, int len, long s) {
    for (int i = 0; i + 1 < len; i += 2) {
      s += ((b[at + i] & 0xff) << 8) | (b[at + i + 1] & 0xff);
    }
    if ((len & 1) != 0) {
      s += (b[at + len - 1] & 0xff) << 8;
    }
    while ((s >> 16) != 0) {
      s = (s & 0xffff) + (s >> 16);
    }
    return (int) s;
  }
}

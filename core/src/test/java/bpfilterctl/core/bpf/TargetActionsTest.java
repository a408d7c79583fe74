package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.compile.TargetEvent;
import bpfilterctl.core.bpf.enforce.TargetActions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the umh does with records: LOG lines with their level, REJECT replies within a budget. */
class TargetActionsTest {
  /** A record as the program writes it, for crafted packet {@code i} at LOCAL_IN. */
  private static byte[] record(int kind, int param, byte[] packet) {
    ByteBuffer b = ByteBuffer.allocate(TargetEvent.SIZE).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, (byte) kind).put(1, (byte) 1).put(2, (byte) param);
    b.putInt(8, packet.length);
    b.put(16, new byte[] {'s', '0'});
    b.put(48, new byte[] {'p', ':'});
    b.putInt(80, packet.length);
    b.putInt(104, -1).putInt(108, -1);
    b.put(128, packet);
    return b.array();
  }

  @Test
  void logWritesTheLineAfterItsLevel() {
    List<String> lines = new ArrayList<>();
    TargetActions a = new TargetActions((p, ev) -> 0, 64, lines::add, System::nanoTime);
    a.accept(record(TargetEvent.LOG, 6, RejectLogKernelTest.crafted().get(3)));
    assertThat(lines)
        .containsExactly(
            "<6>p:IN=s0 OUT= MAC= SRC=10.9.0.1 DST=10.9.0.2 LEN=33 TOS=0x00 PREC=0x00 TTL=64"
                + " ID=104 DF PROTO=UDP SPT=40004 DPT=53 LEN=13 ");
  }

  @Test
  void icmpRepliesKeepTheKernelsBudgetAndRstsTheirOwn() {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<byte[]> sent = new ArrayList<>();
    TargetActions a =
        new TargetActions(
            (p, ev) -> {
              sent.add(p);
              return 0;
            },
            64,
            l -> {},
            now::get);
    byte[] udp = RejectLogKernelTest.crafted().get(3);
    for (int i = 0; i < 200; i++) {
      a.accept(record(TargetEvent.REJECT, 3, udp));
    }
    assertThat(sent).hasSize(50); // icmp_msgs_burst
    now.addAndGet(10_000_000L); // 10 ms: 10 more at 1000/s
    for (int i = 0; i < 200; i++) {
      a.accept(record(TargetEvent.REJECT, 3, udp));
    }
    assertThat(sent).hasSize(60);
    byte[] syn = RejectLogKernelTest.crafted().get(0);
    for (int i = 0; i < 2000; i++) {
      a.accept(record(TargetEvent.REJECT, 7, syn));
    }
    assertThat(sent).hasSize(60 + 1000); // the RST burst, apart from ICMP's
    assertThat(sent.get(0)[9]).isEqualTo((byte) 1);
    assertThat(sent.get(60)[9]).isEqualTo((byte) 6);
  }
}

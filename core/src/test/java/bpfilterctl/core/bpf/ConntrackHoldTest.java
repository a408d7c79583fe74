package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.ConntrackHold;
import bpfilterctl.core.bpf.sys.Netns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * In a fresh namespace nothing asks for connection tracking, so packets pass untracked; the holder
 * table (nf_tables over raw netlink) turns it on, holding it again replaces the table, and
 * releasing it turns tracking off for new flows.
 */
@Timeout(120)
class ConntrackHoldTest {
  @Test
  void theHolderTableTurnsConntrackOnAndOff() throws Exception {
    FilterBed.assumeBpf();
    try (TestNetns ns = TestNetns.create()) {
      assertThat(held(ns)).isFalse();
      udp(ns, 9001);
      assertThat(tracked(ns)).as("a fresh namespace tracks nothing").isZero();

      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::hold));
      assertThat(held(ns)).isTrue();
      udp(ns, 9002);
      assertThat(tracked(ns)).as("held: the flow is tracked").isEqualTo(1);

      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::hold)); // again: replaced
      assertThat(held(ns)).isTrue();
      udp(ns, 9003);
      assertThat(tracked(ns)).isEqualTo(2);

      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::release));
      assertThat(held(ns)).isFalse();
      udp(ns, 9004);
      assertThat(tracked(ns)).as("released: new flows are not tracked").isEqualTo(2);
      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::release)); // nothing to do
      assertThat(held(ns)).isFalse();
    }
  }

  interface NetlinkWork {
    void run() throws Exception;
  }

  private static Void run(NetlinkWork w) throws Exception {
    w.run();
    return null;
  }

  private static boolean held(TestNetns ns) throws Exception {
    return Netns.call(FilterBed.BPF, ns.path(), ConntrackHold::held);
  }

  /** One UDP datagram to 127.0.0.1:port (nobody listens). */
  static void udp(TestNetns ns, int port) throws Exception {
    TestNetns.Result r =
        ns.exec(
            "",
            "python3",
            "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.sendto(b'x', ('127.0.0.1', "
                + port
                + "))");
    assertThat(r.rc()).as(r.err()).isZero();
  }

  /** The namespace's conntrack entries. */
  static int tracked(TestNetns ns) throws Exception {
    TestNetns.Result r = ns.exec("", "cat", "/proc/sys/net/netfilter/nf_conntrack_count");
    assertThat(r.rc()).as(r.err()).isZero();
    return Integer.parseInt(r.out().trim());
  }
}

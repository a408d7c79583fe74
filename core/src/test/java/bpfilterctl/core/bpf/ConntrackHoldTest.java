package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.ConntrackHold;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Python3;
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
      assertThat(VethPeers.tracked(ns)).as("a fresh namespace tracks nothing").isZero();

      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::hold));
      assertThat(held(ns)).isTrue();
      udp(ns, 9002);
      assertThat(VethPeers.tracked(ns)).as("held: the flow is tracked").isEqualTo(1);

      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::hold)); // again: replaced
      assertThat(held(ns)).isTrue();
      udp(ns, 9003);
      assertThat(VethPeers.tracked(ns)).isEqualTo(2);

      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::release));
      assertThat(held(ns)).isFalse();
      udp(ns, 9004);
      assertThat(VethPeers.tracked(ns)).as("released: new flows are not tracked").isEqualTo(2);
      Netns.call(FilterBed.BPF, ns.path(), () -> run(ConntrackHold::release)); // nothing to do
      assertThat(held(ns)).isFalse();
    }
  }

  @Test
  void enforcerHoldsConntrackWhileItsTableUsesItAndAcrossAdoption() throws Exception {
    FilterBed.assumeBpf();
    try (TempBpfFs bpffs = TempBpfFs.create();
        TestNetns ns = TestNetns.create();
        FilterBed stateful = new FilterBed();
        FilterBed plain = new FilterBed()) {
      stateful.rules("-A INPUT -m conntrack --ctstate INVALID -j DROP");
      plain.rules("-A INPUT -p udp --dport 9 -j DROP");
      Enforcer first = Enforcer.open();
      assertThat(bpffs.mount(first.bpf())).isTrue();
      Netns.call(first.bpf(), ns.path(), () -> first.pinUnder(bpffs.path()));
      Netns.call(first.bpf(), ns.path(), () -> first.install(plain.read()));
      assertThat(held(ns)).as("a table without conntrack matches").isFalse();
      Netns.call(first.bpf(), ns.path(), () -> first.install(stateful.read()));
      assertThat(held(ns)).as("a table with one").isTrue();
      Netns.call(first.bpf(), ns.path(), () -> first.install(plain.read()));
      assertThat(held(ns)).as("replaced by one without").isFalse();
      Netns.call(first.bpf(), ns.path(), () -> first.install(stateful.read()));
      assertThat(held(ns)).isTrue();
      first.close(); // as if the umh died: the pins keep the programs, the holder stays too
      assertThat(held(ns)).as("after the process").isTrue();
      udp(ns, 9101);
      assertThat(VethPeers.tracked(ns))
          .as("the orphaned programs still see conntrack")
          .isEqualTo(1);

      try (Enforcer second = Enforcer.open()) {
        assertThat(Netns.call(second.bpf(), ns.path(), () -> second.pinUnder(bpffs.path())))
            .isTrue();
        assertThat(held(ns)).isTrue();
        Netns.call(second.bpf(), ns.path(), () -> second.install(stateful.read()));
        assertThat(held(ns)).isTrue();
        Netns.call(
            second.bpf(),
            ns.path(),
            () -> {
              second.stop();
              return null;
            });
        assertThat(held(ns)).as("enforcement stopped").isFalse();
      }
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
            Python3.command(),
            "-c",
            "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
                + " s.sendto(b'x', ('127.0.0.1', "
                + port
                + "))");
    assertThat(r.rc()).as(r.err()).isZero();
  }
}

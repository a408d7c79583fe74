package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Programs attached at the netfilter hooks of a namespace the test creates: packets obey them. */
@Timeout(120)
class AttachTest {
  static final int LOCAL_OUT = 3;

  @Test
  void attachedOutputProgramDropsAcceptsAndCounts() throws Exception {
    FilterBed.assumeBpf();
    List<Fd> links = new ArrayList<>();
    try (TestNetns ns = TestNetns.create();
        FilterBed bed = new FilterBed()) {
      bed.rules(
              "-A OUTPUT -p udp --dport 9 -j DROP",
              "-A OUTPUT -o d0 -p icmp -j ACCEPT",
              "-A OUTPUT -o lo -j DROP")
          .load();
      try {
        for (int hook : bed.progs.keySet()) {
          links.add(
              Netns.call(
                  FilterBed.BPF,
                  ns.path(),
                  () -> FilterBed.BPF.linkNetfilter(bed.progs.get(hook), hook, 0)));
        }
        int src = addr(10, 1, 0, 1);
        int dst = addr(10, 2, 0, 1);
        byte[] drop = Packets.udp(src, dst, 1, 9);
        byte[] pass = Packets.udp(src, dst, 1, 10);
        byte[] ping = Packets.icmp(src, dst, 8, 0);
        boolean[] sent = ns.send(List.of(drop, pass, ping, drop));
        assertThat(sent).containsExactly(false, true, true, false);
        assertThat(bed.counter(2)).containsExactly(2, 2L * drop.length); // OUTPUT rule 1
        assertThat(bed.counter(3)).containsExactly(1, ping.length);
        assertThat(bed.counter(5)).as("OUTPUT policy").containsExactly(1, pass.length);
        // to 127.0.0.1 the packet leaves through lo: -o lo drops it
        byte[] local = Packets.icmp(src, addr(127, 0, 0, 1), 8, 0);
        assertThat(ns.send(List.of(local))).containsExactly(false);
        assertThat(bed.counter(4)).containsExactly(1, local.length);
      } finally {
        links.forEach(Fd::close);
      }
      // links closed: nothing filters any more
      assertThat(ns.send(List.of(Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9))))
          .containsExactly(true);
    }
  }
}

package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The enforcer with limit and addrtype in a test-made namespace: the route mirror it starts follows
 * an address added after the install, and a replace gives the limit a full bucket again.
 */
@Timeout(120)
class EnforcerStatefulMatchesTest {
  @Test
  void routeMirrorFollowsTheNamespaceAndLimitsRefillOnReplace() throws Exception {
    FilterBed.assumeBpf();
    try (TestNetns ns = TestNetns.create();
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      ns.ip("link", "set", "d0", "arp", "off");
      bed.rules(
          "-A OUTPUT -p udp --dport 9 -m addrtype --src-type LOCAL -j DROP",
          "-A OUTPUT -p udp --dport 8 -m limit --limit 1/hour --limit-burst 2 -j ACCEPT",
          "-A OUTPUT -p udp --dport 8 -j DROP");
      Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.install(bed.read()));

      byte[] fromNew = Packets.udp(addr(10, 40, 0, 1), addr(10, 2, 0, 1), 1, 9);
      byte[] limited = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 8);
      assertThat(ns.send(List.of(fromNew))).as("not yet local").containsExactly(true);
      ns.ip("addr", "add", "10.40.0.1/24", "dev", "d0");
      boolean dropped = false;
      for (int i = 0; i < 50 && !dropped; i++) {
        Thread.sleep(20);
        dropped = !ns.send(List.of(fromNew))[0];
      }
      assertThat(dropped).as("a source made local after the install").isTrue();

      assertThat(ns.send(List.of(limited, limited, limited))).containsExactly(true, true, false);
      Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.install(bed.read()));
      assertThat(ns.send(List.of(limited, limited, limited))).containsExactly(true, true, false);
    }
  }
}

package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.uapi.XtCounters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Generations installed one after another in a test-made namespace. */
@Timeout(300)
class EnforcerTest {
  private static final int OUTPUT = 3;

  @Test
  void replacesNeverLetAPacketThroughAndHandBackOldCounters() throws Exception {
    FilterBed.assumeBpf();
    try (TestNetns ns = TestNetns.create();
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      ns.ip("link", "set", "d0", "arp", "off");
      bed.rules("-A OUTPUT -p udp --dport 9 -j DROP");
      Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.install(bed.read()));

      // old counters: what the replaced generation counted
      byte[] p = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9);
      assertThat(ns.send(List.of(p, p, p))).containsExactly(false, false, false);
      List<XtCounters> old =
          Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.install(bed.read()));
      assertThat(old.get(2)).isEqualTo(new XtCounters(3, 3L * p.length));

      try (UdpFlood flood = UdpFlood.start(ns)) {
        long before = enforcer.live().orElseThrow().number();
        for (int i = 0; i < 100; i++) {
          // each generation differs (a rule of its own) and drops udp port 9
          bed.rules("-I OUTPUT -p udp --dport " + (1000 + i) + " -j ACCEPT");
          Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.install(bed.read()));
        }
        assertThat(enforcer.live().orElseThrow().number()).isEqualTo(before + 100);
        UdpFlood.Counts counts = flood.stop();
        assertThat(counts.dropped()).as("tries dropped").isPositive();
        assertThat(counts.sent()).as("packets that got through").isZero();
      }
    }
  }

  @Test
  void pinnedGenerationOutlivesItsProcessAndIsAdopted() throws Exception {
    FilterBed.assumeBpf();
    try (TempBpfFs bpffs = TempBpfFs.create();
        TestNetns ns = TestNetns.create();
        FilterBed bed = new FilterBed()) {
      ns.ip("link", "set", "d0", "arp", "off");
      Enforcer first = Enforcer.open();
      assertThat(bpffs.mount(first.bpf())).isTrue();
      bed.rules("-A OUTPUT -p udp --dport 9 -j DROP");
      boolean adopted = Netns.call(first.bpf(), ns.path(), () -> first.pinUnder(bpffs.path()));
      assertThat(adopted).as("nothing pinned yet").isFalse();
      Netns.call(first.bpf(), ns.path(), () -> first.install(bed.read()));
      Path dir = first.pins().orElseThrow().dir();
      first.close(); // as if the umh died: no fd left, the pins hold the links
      byte[] p9 = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9);
      assertThat(ns.send(List.of(p9))).as("still enforced").containsExactly(false);

      try (Enforcer second = Enforcer.open()) {
        assertThat(Netns.call(second.bpf(), ns.path(), () -> second.pinUnder(bpffs.path())))
            .isTrue();
        assertThat(second.live().orElseThrow().isAdopted()).isTrue();
        assertThat(ns.send(List.of(p9))).containsExactly(false);
        bed.rules("-D OUTPUT 1", "-A OUTPUT -p udp --dport 10 -j DROP");
        List<XtCounters> old =
            Netns.call(second.bpf(), ns.path(), () -> second.install(bed.read()));
        assertThat(old).as("an adopted generation's counters belong to another table").isEmpty();
        assertThat(ns.send(List.of(p9))).containsExactly(true);
        try (var files = Files.list(dir)) {
          assertThat(files.map(f -> f.getFileName().toString()))
              .isNotEmpty()
              .allMatch(n -> n.startsWith("g2_") || n.startsWith("events") || n.equals("reply_ct"));
        }
        second.stop();
        assertThat(dir).doesNotExist();
      }
      assertThat(ns.send(List.of(Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 10))))
          .as("stopped: nothing filters")
          .containsExactly(true);
    }
  }

  /**
   * A replaced or stopped pinned generation is off its hooks when install or stop returns: the
   * kernel frees an unpinned link only after an RCU grace period and a workqueue pass, and a
   * generation after next attaching at that priority met EBUSY under load.
   */
  @Test
  void aReplacedPinnedGenerationFreesItsPriorityAtOnce() throws Exception {
    FilterBed.assumeBpf();
    try (TempBpfFs bpffs = TempBpfFs.create();
        TestNetns ns = TestNetns.create();
        FilterBed bed = new FilterBed();
        Enforcer enforcer = Enforcer.open()) {
      assertThat(bpffs.mount(enforcer.bpf())).isTrue();
      Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.pinUnder(bpffs.path()));
      bed.rules("-A OUTPUT -p udp --dport 9 -j DROP");
      Fd prog = bed.load().progs.get(OUTPUT);
      Netns.call(enforcer.bpf(), ns.path(), () -> enforcer.install(bed.read()));
      int replaced = enforcer.live().orElseThrow().priority();
      int live =
          Netns.call(
              enforcer.bpf(),
              ns.path(),
              () -> {
                enforcer.install(bed.read());
                // the replaced generation's priority, taken right away
                enforcer.bpf().linkNetfilter(prog, OUTPUT, replaced).close();
                return enforcer.live().orElseThrow().priority();
              });
      assertThat(live).isNotEqualTo(replaced);
      Netns.call(
          enforcer.bpf(),
          ns.path(),
          () -> {
            enforcer.stop();
            enforcer.bpf().linkNetfilter(prog, OUTPUT, live).close();
            return null;
          });
    }
  }
}

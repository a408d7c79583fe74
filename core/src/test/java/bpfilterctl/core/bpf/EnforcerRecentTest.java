package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * xt_recent tables under an Enforcer, attached in a test-made namespace: as the kernel's, a table
 * lives on through replaces while a rule names it, goes with its last rule, and (pinned) outlives
 * the process that made it.
 */
@Timeout(120)
class EnforcerRecentTest {
  private static final byte[] SET = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 1);
  private static final byte[] CHECK = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 2);

  @Test
  void tablesLiveOnThroughReplacesAndAreAdoptedWithTheGeneration() throws Exception {
    FilterBed.assumeBpf();
    try (TempBpfFs bpffs = TempBpfFs.create();
        TestNetns ns = TestNetns.create();
        FilterBed bed = new FilterBed()) {
      ns.ip("link", "set", "d0", "arp", "off");
      Enforcer first = Enforcer.open();
      bpffs.mount(first.bpf());
      bed.rules(
          "-A OUTPUT -p udp --dport 1 -m recent --set --rdest --name K",
          "-A OUTPUT -p udp --dport 2 -m recent --rcheck --rdest --name K -j DROP");
      Netns.call(first.bpf(), ns.path(), () -> first.pinUnder(bpffs.path()));
      Netns.call(first.bpf(), ns.path(), () -> first.install(bed.read()));
      assertThat(ns.send(List.of(CHECK, SET, CHECK))).containsExactly(true, true, false);

      bed.rules("-I OUTPUT -p udp --dport 3 -j ACCEPT");
      Netns.call(first.bpf(), ns.path(), () -> first.install(bed.read()));
      assertThat(ns.send(List.of(CHECK))).as("kept through a replace").containsExactly(false);
      Path dir = first.pins().orElseThrow().dir();
      first.close(); // as if the umh died

      try (Enforcer second = Enforcer.open()) {
        Netns.call(second.bpf(), ns.path(), () -> second.pinUnder(bpffs.path()));
        bed.rules("-D OUTPUT 1");
        Netns.call(second.bpf(), ns.path(), () -> second.install(bed.read()));
        assertThat(ns.send(List.of(CHECK)))
            .as("adopted with the generation")
            .containsExactly(false);

        bed.rules("-F OUTPUT", "-A OUTPUT -p udp --dport 3 -j ACCEPT");
        Netns.call(second.bpf(), ns.path(), () -> second.install(bed.read()));
        try (var files = Files.list(dir)) {
          assertThat(files.map(f -> f.getFileName().toString()))
              .as("no rule names K: its table is gone")
              .noneMatch(n -> n.startsWith("recent_"));
        }
        bed.rules("-A OUTPUT -p udp --dport 2 -m recent --rcheck --rdest --name K -j DROP");
        Netns.call(second.bpf(), ns.path(), () -> second.install(bed.read()));
        assertThat(ns.send(List.of(CHECK))).as("a new, empty K").containsExactly(true);
        second.stop();
        assertThat(dir).doesNotExist();
      }
    }
  }
}

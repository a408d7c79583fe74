package bpfilterctl.cli;

import static bpfilterctl.cli.EnforcingDaemon.assumeEnforcement;
import static bpfilterctl.cli.EnforcingDaemon.awaitSocket;
import static bpfilterctl.cli.EnforcingDaemon.iptables;
import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.Packets;
import bpfilterctl.core.bpf.TestNetns;
import bpfilterctl.core.bpf.UdpFlood;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bpfilterctl daemon --enforce` in a namespace this test creates (`ip netns exec`: the daemon, its
 * umh and every restart of it live there, and so does the bpffs the pins go to): iptables commands
 * through the daemon are enforced, a umh killed with SIGKILL mid-traffic lets nothing through while
 * the supervisor restarts it and the new umh adopts the pinned table, and only unload removes it.
 */
@Timeout(600)
class EnforcedDaemonTest {
  private static final int REPLACES = 15;

  // A kill round under traffic (thirty generations, a flood, SIGKILL, adoption): a soak. verify
  // keeps the host-death adoption and the counted reads below, EnforcerTest replaces in a flood.
  @Test
  @Tag("soak")
  void aDropSurvivesReplacesAndASigkilledUmhAndEndsOnlyWithUnload(@TempDir Path dir)
      throws Exception {
    assumeEnforcement();
    try (TestNetns ns = TestNetns.create()) {
      ns.ip("link", "set", "d0", "arp", "off");
      EnforcingDaemon.run(
          ns.name,
          dir,
          (c, iptables) -> {
            iptables("-A OUTPUT -p udp --dport 9 -j DROP", iptables);
            EnforcementStatus first = c.status().enforcement();
            assertThat(first.state()).isEqualTo(EnforcementStatus.State.ON);
            assertThat(first.hooks())
                .extracting(EnforcementStatus.Hook::chain)
                .containsExactly("INPUT", "FORWARD", "OUTPUT");
            assertThat(first.hooks()).allMatch(h -> h.programId() > 0 && h.instructions() > 0);
            assertThat(first.pinDir()).startsWith("/sys/fs/bpf/bpfilterctl/");

            try (UdpFlood flood = UdpFlood.start(ns)) {
              // each replace is a new generation of programs, compiled, verified, pinned and
              // saved: fifteen on each side of the kill show the swap holding as well as a
              // hundred did
              for (int i = 0; i < REPLACES; i++) {
                iptables("-I OUTPUT -p udp --dport " + (1000 + i) + " -j ACCEPT", iptables);
              }
              ModuleStatus before = c.status();
              long generation = before.enforcement().generation();
              assertThat(generation).isEqualTo(first.generation() + REPLACES);

              TestNetns.run(List.of("kill", "-9", Integer.toString(before.umhPid())), "");
              ModuleStatus after = EnforcingDaemon.awaitEnforcingAfterOneRestart(c);
              assertThat(after.umhPid()).isNotEqualTo(before.umhPid());
              // The new umh adopted generation N (numbers go on from it) and replayed the saved
              // table over it as N+1; a umh that had not adopted would be at 2.
              assertThat(after.enforcement().generation()).isEqualTo(generation + 1);
              assertThat(c.log(500))
                  .extracting(LogLine::text)
                  .anyMatch(t -> t.contains("adopted the enforced filter table"));

              for (int i = REPLACES; i < 2 * REPLACES; i++) {
                iptables("-I OUTPUT -p udp --dport " + (1000 + i) + " -j ACCEPT", iptables);
              }
              assertThat(c.status().enforcement().generation())
                  .isEqualTo(generation + 1 + REPLACES);
              UdpFlood.Counts counts = flood.stop();
              assertThat(counts.dropped()).as("tries dropped").isPositive();
              assertThat(counts.sent()).as("packets that got through").isZero();
            }

            byte[] p9 = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9);
            assertThat(ns.send(List.of(p9))).containsExactly(false);
            c.unload();
            assertThat(ns.send(List.of(p9))).as("unloaded: nothing filters").containsExactly(true);
            assertThat(c.status().enforcement().state()).isEqualTo(EnforcementStatus.State.OFF);
            return null;
          });
    }
  }

  /**
   * SIGKILL of the daemon itself (the host): its umh sees EOF without an unload and must leave the
   * table pinned and enforcing. A second daemon, started in the same namespaces (a holder process
   * keeps the mount namespace, and so the bpffs, alive), adopts it; its unload ends it.
   */
  @Test
  void aHostThatDiesLeavesTheTableEnforcedForTheNextOneToAdopt(@TempDir Path dir) throws Exception {
    assumeEnforcement();
    try (TestNetns ns = TestNetns.create()) {
      ns.ip("link", "set", "d0", "arp", "off");
      Path sock = EnforcingDaemon.socket(dir);
      Path log = dir.resolve("daemon.log");
      String daemonArgs = String.join(" ", EnforcingDaemon.command(dir));
      // the holder prints its pid, then the shell becomes the first daemon
      Process first =
          new ProcessBuilder(
                  "ip",
                  "netns",
                  "exec",
                  ns.name,
                  "bash",
                  "-c",
                  "sleep 100000 & echo $!; exec " + daemonArgs)
              .redirectErrorStream(true)
              .start();
      String holder =
          new java.io.BufferedReader(
                  new java.io.InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))
              .readLine();
      Process second = null;
      byte[] p9 = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9);
      try {
        awaitSocket(sock, first);
        long generation;
        try (DaemonClient c = DaemonClient.connect(sock)) {
          c.load();
          iptables(
              "-A OUTPUT -p udp --dport 9 -j DROP",
              new Iptables(ModuleSockopts.of(c), XtExtensions.standard(), Lookups.system()));
          generation = c.status().enforcement().generation();
          assertThat(ns.send(List.of(p9))).containsExactly(false);
        }
        first.destroyForcibly(); // SIGKILL: no unload reaches the umh, only EOF
        first.waitFor();
        Files.deleteIfExists(sock);
        assertThat(ns.send(List.of(p9))).as("the host died: still enforced").containsExactly(false);

        second =
            new ProcessBuilder(
                    "nsenter",
                    "--mount=/proc/" + holder + "/ns/mnt",
                    "--net=" + ns.path(),
                    "bash",
                    "-c",
                    "exec " + daemonArgs)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        awaitSocket(sock, second);
        try (DaemonClient c = DaemonClient.connect(sock)) {
          c.load();
          EnforcementStatus adopted = c.status().enforcement();
          // adopted generation N, then the saved table replayed over it as N+1
          assertThat(adopted.generation()).isEqualTo(generation + 1);
          assertThat(ns.send(List.of(p9))).containsExactly(false);
          c.unload();
          assertThat(ns.send(List.of(p9))).as("unloaded").containsExactly(true);
          c.stopDaemon();
        }
        assertThat(second.waitFor()).isZero();
      } finally {
        first.destroyForcibly();
        if (second != null) {
          second.destroyForcibly();
          second.waitFor();
        }
        TestNetns.run(List.of("kill", "-9", holder), "");
      }
    }
  }

  /**
   * An enforcing daemon's GET_ENTRIES carries the traffic its programs counted, which moves with
   * every packet: of two identical reads with packets between them, the second must show them (the
   * daemon never answers GET_ENTRIES from memory while enforcing: RememberedReads), as on the
   * kernel.
   */
  @Test
  void theSameReadTwiceShowsThePacketsCountedBetween(@TempDir Path dir) throws Exception {
    assumeEnforcement();
    try (TestNetns ns = TestNetns.create()) {
      ns.ip("link", "set", "d0", "arp", "off");
      EnforcingDaemon.run(
          ns.name,
          dir,
          (c, iptables) -> {
            iptables("-A OUTPUT -p udp --dport 9 -j DROP", iptables);
            byte[] p9 = Packets.udp(addr(10, 1, 0, 1), addr(10, 2, 0, 1), 1, 9);
            long before = dropped(iptables);
            assertThat(dropped(iptables)).isEqualTo(before);
            assertThat(ns.send(List.of(p9, p9, p9))).containsExactly(false, false, false);
            assertThat(dropped(iptables)).isEqualTo(before + 3);
            assertThat(ns.send(List.of(p9))).containsExactly(false);
            assertThat(dropped(iptables)).isEqualTo(before + 4);
            c.unload();
            return null;
          });
    }
  }

  /** The packets the DROP rule of OUTPUT counted, as `iptables -L OUTPUT -v -x -n` shows them. */
  private static long dropped(Iptables iptables) throws Exception {
    StringBuilder out = new StringBuilder();
    StringBuilder err = new StringBuilder();
    assertThat(iptables.run(List.of("-L", "OUTPUT", "-v", "-x", "-n"), out, err))
        .as(err.toString())
        .isZero();
    return out.toString()
        .lines()
        .filter(l -> l.contains("DROP"))
        .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[0]))
        .findFirst()
        .orElseThrow();
  }
}

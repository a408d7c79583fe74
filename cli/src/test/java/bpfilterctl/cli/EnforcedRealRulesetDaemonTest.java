package bpfilterctl.cli;

import static bpfilterctl.cli.EnforcingDaemon.assumeEnforcement;
import static bpfilterctl.cli.EnforcingDaemon.iptables;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.RealRulesets;
import bpfilterctl.core.bpf.VethPeers;
import bpfilterctl.core.iptables.IptablesRestore;
import bpfilterctl.core.iptables.IptablesSave;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.LogLine;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product path for ufw's complete filter table and firewalld's public zone (RealRulesets):
 * `bpfilterctl daemon --enforce` in the server's namespace, the table given to it by
 * iptables-restore through the daemon, the client's probes, then iptables-save -c through the
 * daemon and its log. Compared with the kernel's ip_tables on the same table and probes: the same
 * outcomes (ssh and https connect and carry data, the rejected port refused at once over TCP and
 * UDP, the default-denied ones silent, ICMP echo answered), the same "[UFW BLOCK]" lines as
 * dmesg's, and the same counters (REJECT's replies pass OUTPUT as RELATED on both sides).
 */
@Timeout(180)
class EnforcedRealRulesetDaemonTest {
  @Test
  void ufwThroughTheEnforcingDaemonAsTheKernel(@TempDir Path dir) throws Exception {
    assumeEnforcement();
    RealRulesets.requireTools();
    List<RealRulesets.Probe> probes =
        List.of(
            RealRulesets.tcp("ssh", 22, 2),
            RealRulesets.tcp("https", 443, 2),
            RealRulesets.tcp("reject-tcp", 23, 2),
            RealRulesets.tcp("denied-tcp", 8080, 0.5),
            RealRulesets.udp("reject-udp", 23, 2),
            RealRulesets.udp("denied-udp", 9999, 0.5),
            RealRulesets.PING);
    String listeners = "tcp/22,tcp/443,tcp/23,tcp/8080,udp/23,udp/9999";
    String table = RealRulesets.ufwTable();
    RealRulesets.Side kernel = RealRulesets.kernelSide(table, probes, listeners, false);
    RealRulesets.Side ours = daemonSide(table, probes, listeners, false, dir);

    assertThat(kernel.outcomes())
        .containsEntry("ssh", "connected:hello")
        .containsEntry("https", "connected:hello")
        .containsEntry("reject-tcp", "ECONNREFUSED")
        .containsEntry("denied-tcp", "timeout")
        .containsEntry("reject-udp", "ECONNREFUSED")
        .containsEntry("denied-udp", "timeout")
        .containsEntry("ping", "reply");
    assertThat(ours.outcomes()).isEqualTo(kernel.outcomes());
    assertThat(ours.ms().get("reject-tcp")).as("refused at once").isLessThan(1000);
    assertThat(ours.ms().get("reject-udp")).as("refused at once").isLessThan(1000);
    assertThat(kernel.lines()).hasSize(2).allMatch(l -> l.startsWith("<4>[UFW BLOCK] IN=sv "));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  /**
   * firewalld's public zone the same way: ssh and the added port connect, the rest of TCP and UDP
   * is refused at once with host-prohibited, the rich rule logs and rejects 192.0.2.0/24's RDP, and
   * the counters equal the kernel's (its OUTPUT has no conntrack rule for the replies to miss).
   */
  @Test
  void firewalldThroughTheEnforcingDaemonAsTheKernel(@TempDir Path dir) throws Exception {
    assumeEnforcement();
    RealRulesets.requireTools();
    List<RealRulesets.Probe> probes =
        List.of(
            RealRulesets.tcp("ssh", 22, 2),
            RealRulesets.tcp("added-port", 8443, 2),
            RealRulesets.tcp("other-tcp", 23, 2),
            RealRulesets.udp("other-udp", 23, 2),
            new RealRulesets.Probe("rdp-from-denied-net", "tcp", 3389, "192.0.2.7", 43389, 2),
            RealRulesets.PING);
    String listeners = "tcp/22,tcp/8443,tcp/23,tcp/3389,udp/23";
    String table = RealRulesets.firewalldTable();
    RealRulesets.Side kernel = RealRulesets.kernelSide(table, probes, listeners, true);
    RealRulesets.Side ours = daemonSide(table, probes, listeners, true, dir);

    assertThat(kernel.outcomes())
        .containsEntry("ssh", "connected:hello")
        .containsEntry("added-port", "connected:hello")
        .containsEntry("other-tcp", "EHOSTUNREACH")
        .containsEntry("other-udp", "EHOSTUNREACH")
        .containsEntry("rdp-from-denied-net", "EHOSTUNREACH")
        .containsEntry("ping", "reply");
    assertThat(ours.outcomes()).isEqualTo(kernel.outcomes());
    assertThat(ours.ms().get("other-tcp")).as("refused at once").isLessThan(1000);
    assertThat(kernel.lines()).hasSize(1).allMatch(l -> l.startsWith("<4>rdp-try IN=sv "));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  private static RealRulesets.Side daemonSide(
      String table, List<RealRulesets.Probe> probes, String listeners, boolean rdpNet, Path dir)
      throws Exception {
    try (VethPeers peers = RealRulesets.peers(rdpNet)) {
      return EnforcingDaemon.run(
          peers.server().name,
          dir,
          (c, iptables) -> {
            StringBuilder err = new StringBuilder();
            int rc =
                new IptablesRestore(iptables)
                    .run(
                        new IptablesRestore.Options(false, false, false, 0, null, null),
                        table,
                        new StringBuilder(),
                        err);
            assertThat(rc).as("iptables-restore through the daemon: %s", err).isZero();
            EnforcementStatus enforced = c.status().enforcement();
            assertThat(enforced.state()).isEqualTo(EnforcementStatus.State.ON);
            // the table's REJECT and LOG rules made the ring buffer: its lost count is reported
            assertThat(enforced.eventsLost()).isZero();
            List<?> run = RealRulesets.runProbes(peers, probes, listeners);
            StringBuilder save = new StringBuilder();
            new IptablesSave(iptables, ZonedDateTime::now)
                .run(List.of("-c", "-t", "filter"), save, new StringBuilder());
            Thread.sleep(300); // the umh's reader polls the ring buffer every 200 ms at most
            List<String> logged = c.log(2000).stream().map(LogLine::text).toList();
            RealRulesets.Side side =
                RealRulesets.side(
                    run,
                    save.toString()
                        .lines()
                        .filter(l -> !l.startsWith("#"))
                        .collect(Collectors.joining("\n")),
                    RealRulesets.serverLines(logged, peers.server()));
            c.unload();
            return side;
          });
    }
  }
}

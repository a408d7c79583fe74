package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.RoutedNetns.Node;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REJECT and LOG at FORWARD: RejectLogKernelTest's rules in a router's FORWARD chain, the kernel's
 * ip_tables in one {@link RoutedNetns} and our enforced table in another. The sender's packets to a
 * host behind the router get the same answers back (a RST from the packet's destination, ICMP
 * errors from the router's own address, quoting the packet as forwarded, TTL one less), none where
 * the kernel sends none, nothing reaches the receiver, the LOG lines name both devices, and
 * iptables-save -c prints the same counters (the replies pass the router's OUTPUT).
 */
@Timeout(180)
class RoutedRejectLogTest {
  private static final byte[] SENDER = {10, 9, 0, 1};
  private static final byte[] BEHIND_ROUTER = {10, 3, 0, 2};

  /** What one side saw: the sender's and the receiver's captures, the log lines, the counters. */
  private record Seen(
      List<String> atSender, List<String> atReceiver, List<String> log, String save) {}

  @Test
  void forwardedPacketsAreAnsweredAndLoggedAsByTheKernel() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Require.that(
        Files.exists(LogAllNetns.SETTING), "no " + LogAllNetns.SETTING + " (nf_log_syslog)");
    String tag = "f" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)) + "-";
    String table = RejectLogKernelTest.table(tag).replace("-A INPUT ", "-A FORWARD ");
    List<byte[]> packets = new ArrayList<>(RejectLogKernelTest.crafted(SENDER, BEHIND_ROUTER));
    packets.addAll(RejectLogKernelTest.badChecksums(SENDER, BEHIND_ROUTER));

    Seen kernel;
    try (RoutedNetns k = RoutedNetns.create()) {
      // under the lock the other LOG tests take: one that read 0 must not put it back mid-run
      LogAllNetns logAll = LogAllNetns.on();
      try {
        TestNetns.Result restored = k.exec(Node.ROUTER, table, "iptables-legacy-restore");
        assertThat(restored.rc()).as("kernel restore: %s", restored.err()).isZero();
        List<List<String>> captured = exchange(k, packets);
        String save =
            FilterBed.withoutComments(
                k.exec(Node.ROUTER, "", "iptables-legacy-save", "-c", "-t", "filter").out());
        List<String> lines = KernelLog.linesWith(tag).stream().map(String::stripTrailing).toList();
        kernel = new Seen(captured.get(0), captured.get(1), lines, save);
      } finally {
        logAll.close();
      }
    }

    Seen ours;
    List<String> ourLines = new CopyOnWriteArrayList<>();
    try (RoutedNetns o = RoutedNetns.create();
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      bed.restore(table);
      bed.enforceIn(enforcer, o.path(Node.ROUTER), ourLines::add);
      List<List<String>> captured = exchange(o, packets);
      String save = bed.saveWithCounters(enforcer);
      List<String> lines =
          ourLines.stream().filter(l -> l.contains(tag)).map(String::stripTrailing).toList();
      ours = new Seen(captured.get(0), captured.get(1), lines, save);
    }

    // none to the RST, the ICMP error or the two bad checksums; the rest answered
    assertThat(kernel.atSender()).as("the kernel's replies").hasSize(packets.size() - 4);
    assertThat(kernel.atReceiver()).as("forwarded by the kernel").isEmpty();
    assertThat(kernel.log()).as("the kernel's lines").hasSize(packets.size());
    assertThat(kernel.log()).allMatch(l -> l.contains(" IN=r0 OUT=r1 "));
    assertThat(ours.atSender()).containsExactlyInAnyOrderElementsOf(kernel.atSender());
    assertThat(ours.atReceiver()).isEmpty();
    assertThat(ours.log()).containsExactlyElementsOf(kernel.log());
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  /**
   * Sends the packets from the sender and returns what reached the sender and the receiver
   * (normalized), once the router's answers had time to arrive: ours come from the umh's reader,
   * not from the packet's path, so the agents' sync is followed by a quiet period.
   */
  private static List<List<String>> exchange(RoutedNetns net, List<byte[]> packets)
      throws Exception {
    boolean[] sent = net.agent(Node.SENDER).send(packets);
    for (boolean s : sent) {
      assertThat(s).as("the sender's raw socket sent every packet").isTrue();
    }
    net.agent(Node.SENDER).sync("10.1.0.254");
    List<List<String>> out = new ArrayList<>();
    for (Node n : List.of(Node.SENDER, Node.RECEIVER)) {
      net.agent(n).collect(0.5);
      List<String> hex = new ArrayList<>();
      for (byte[] p : net.agent(n).captured()) {
        hex.add(HexFormat.of().formatHex(p));
      }
      out.add(RejectLogKernelTest.normalized(hex));
    }
    return out;
  }
}

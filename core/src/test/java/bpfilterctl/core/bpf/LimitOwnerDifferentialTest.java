package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * limit and owner in the kernel's ip_tables (iptables-legacy, one namespace) and compiled by us and
 * attached (another namespace), with the same traffic in both: the same packets get out, and
 * iptables-save -c prints the same counters.
 */
@Timeout(300)
class LimitOwnerDifferentialTest {
  private static final String PYTHON = Python3.command();

  /**
   * UDP datagrams from five uid/gid pairs (setpriv), each to ports 1-7, printing which were let
   * out; a TCP handshake to a listener of uid 1000 (its SYN-ACK leaves from a request socket, which
   * stands for the listener); a connection refused on a closed port (the reset leaves from the
   * kernel's control socket, which has no file).
   */
  private static final String TRAFFIC =
      String.join(
          "\n",
          "import socket, subprocess, time",
          "PY = '" + PYTHON + "'",
          "UDP = '''",
          "import socket",
          "out = []",
          "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          "for port in range(1, 8):",
          "    try:",
          "        s.sendto(b'x', ('10.9.0.1', port)); out.append('1')",
          "    except PermissionError:",
          "        out.append('0')",
          "print(''.join(out))",
          "'''",
          "def as_user(uid, gid, code, **kw):",
          "    argv = ['setpriv', '--reuid=%d' % uid, '--regid=%d' % gid, '--clear-groups', PY,"
              + " '-c', code]",
          "    return argv",
          "res = []",
          "for uid, gid in [(0, 0), (1000, 1000), (1001, 2000), (2000, 1001), (1500, 1500)]:",
          "    r = subprocess.run(as_user(uid, gid, UDP), capture_output=True, text=True)",
          "    res.append('%d:%s%s' % (uid, r.stdout.strip(), r.stderr.strip()))",
          "LISTEN = '''",
          // The accepted socket is reset (linger 0), so the connection ends in one RST: a data
          // ACK or a FIN's ACK may be delayed or piggybacked, one packet more on one side.
          "import socket, struct, sys",
          "l = socket.socket()",
          "l.bind(('127.0.0.1', 7000)); l.listen(1); print('ready', flush=True)",
          // the reset only once the client's connect has returned (a reset racing the connect's
          // completion would fail it with ECONNRESET)
          "c, _ = l.accept(); sys.stdin.readline()",
          "c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))",
          "c.close(); l.close()",
          "'''",
          "p = subprocess.Popen(as_user(1000, 1000, LISTEN), stdin=subprocess.PIPE,"
              + " stdout=subprocess.PIPE, text=True)",
          "p.stdout.readline()",
          "c = socket.create_connection(('127.0.0.1', 7000), timeout=5)",
          "p.stdin.write('go\\n'); p.stdin.flush()",
          "p.wait(timeout=10)",
          "c.close()",
          // The reset crosses lo asynchronously: wait until no end of the connection is left,
          // so both sides count the same packets before the save.
          "for _ in range(500):",
          "    st = subprocess.run(['ss', '-tanH', 'sport', '=', ':7000', 'or', 'dport', '=',"
              + " ':7000'], capture_output=True, text=True).stdout",
          "    if not st.strip(): break",
          "    time.sleep(0.01)",
          "REFUSED = '''",
          "import socket",
          "try:",
          "    socket.create_connection(('127.0.0.1', 7001), timeout=5); print('open')",
          "except OSError as e:",
          "    print(type(e).__name__)",
          "'''",
          "r = subprocess.run(as_user(1001, 1001, REFUSED), capture_output=True, text=True)",
          "res.append('7001:' + r.stdout.strip())",
          "print(' '.join(res))");

  private static final String OWNER_TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          ":users - [0:0]",
          "-A OUTPUT -p udp -j users",
          "-A OUTPUT -p tcp --dport 7000 --tcp-flags SYN,ACK SYN -m owner --uid-owner 0 -j ACCEPT",
          "-A OUTPUT -p tcp --sport 7000 --tcp-flags SYN,ACK SYN,ACK -m owner --uid-owner 1000"
              + " -j ACCEPT",
          "-A OUTPUT -p tcp --sport 7000 --tcp-flags SYN,ACK SYN,ACK -j ACCEPT",
          "-A OUTPUT -p tcp --sport 7001 --tcp-flags RST RST -m owner --uid-owner 0-65535 -j"
              + " ACCEPT",
          "-A OUTPUT -p tcp --sport 7001 --tcp-flags RST RST -m owner --socket-exists ! --uid-owner"
              + " 0-65535 -j ACCEPT",
          "-A OUTPUT -p tcp --sport 7001 --tcp-flags RST RST -m owner --socket-exists -j ACCEPT",
          "-A OUTPUT -p tcp --sport 7001 --tcp-flags RST RST -j ACCEPT",
          "-A users -p udp --dport 1 -m owner --uid-owner 1000 -j DROP",
          "-A users -p udp --dport 2 -m owner ! --uid-owner 1000-1500 -j DROP",
          "-A users -p udp --dport 3 -m owner --gid-owner 2000 -j DROP",
          "-A users -p udp --dport 4 -m owner ! --gid-owner 1000-1001 -j DROP",
          "-A users -p udp --dport 5 -m owner --uid-owner 1001 --gid-owner 2000 -j DROP",
          "-A users -p udp --dport 6 -m owner ! --socket-exists -j DROP",
          "-A users -p udp --dport 7 -m owner --socket-exists ! --uid-owner 0 -j DROP",
          "-A users -m owner --socket-exists -j RETURN",
          "COMMIT",
          "");

  private static final String LIMIT_TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT ACCEPT [0:0]",
          ":slow - [0:0]",
          "-A OUTPUT -p udp --dport 9 -m limit --limit 3/min --limit-burst 10 -j ACCEPT",
          "-A OUTPUT -p udp --dport 9 -j DROP",
          "-A OUTPUT -p udp --dport 10 -j slow",
          "-A OUTPUT -p udp -m limit --limit 1/hour --limit-burst 3 -m limit --limit 2/day"
              + " --limit-burst 2 -j ACCEPT",
          "-A OUTPUT -p udp -j DROP",
          "-A slow -m limit --limit 1/sec --limit-burst 4 -j RETURN",
          "-A slow -j DROP",
          "COMMIT",
          "");

  @Test
  void aBurstAboveTheLimitPassesTheKernelsPackets() throws Exception {
    List<byte[]> packets = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      packets.add(Packets.udp(Packets.addr(10, 1, 0, 1), Packets.addr(10, 9, 0, 1), 4000 + i, 9));
    }
    for (int i = 0; i < 10; i++) {
      packets.add(Packets.udp(Packets.addr(10, 1, 0, 1), Packets.addr(10, 9, 0, 1), 4000, 10));
      packets.add(Packets.udp(Packets.addr(10, 1, 0, 1), Packets.addr(10, 9, 0, 1), 4000, 11));
    }
    compare(
        LIMIT_TABLE,
        ns -> {
          boolean[] sent = ns.send(packets);
          StringBuilder s = new StringBuilder();
          for (boolean b : sent) {
            s.append(b ? '1' : '0');
          }
          return s.toString();
        },
        (out, save) -> assertThat(out).startsWith("1111111111000000000000000"));
  }

  @Test
  void packetsOfDifferentUsersMeetTheKernelsOwnerDecisions() throws Exception {
    Require.that(Files.isExecutable(Path.of(PYTHON)), PYTHON + " is not installed");
    Require.that(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv is not installed");
    compare(
        OWNER_TABLE,
        ns -> {
          TestNetns.Result r = ns.exec("", PYTHON, "-c", TRAFFIC);
          assertThat(r.rc()).as("traffic: %s", r.err()).isZero();
          return r.out().trim();
        },
        (out, save) -> {
          assertThat(out).contains("1000:0111110").contains("7001:ConnectionRefusedError");
          // the listener's uid on its SYN-ACK; a socket without a file on the reset
          assertThat(save)
              .contains(
                  "[1:60] -A OUTPUT -p tcp -m tcp --sport 7000 --tcp-flags SYN,ACK SYN,ACK"
                      + " -m owner --uid-owner 1000 -j ACCEPT")
              .contains(
                  "[1:40] -A OUTPUT -p tcp -m tcp --sport 7001 --tcp-flags RST RST -m owner"
                      + " --socket-exists ! --uid-owner 0-65535 -j ACCEPT");
        });
  }

  /**
   * A replace (iptables -A of an unrelated rule: GET_ENTRIES, then SET_REPLACE of the whole table)
   * gives every limit rule a fresh, full bucket in the kernel; ours reload the same way.
   */
  @Test
  void aReplaceRefillsEveryBucketAsTheKernelDoes() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    List<byte[]> packets = new ArrayList<>();
    for (int i = 0; i < 14; i++) {
      packets.add(Packets.udp(Packets.addr(10, 1, 0, 1), Packets.addr(10, 9, 0, 1), 4000, 9));
    }
    try (TestNetns kernel = TestNetns.create();
        TestNetns ours = TestNetns.create();
        FilterBed bed = new FilterBed()) {
      for (TestNetns ns : List.of(kernel, ours)) {
        ns.ip("link", "set", "d0", "arp", "off");
      }
      assertThat(kernel.exec(LIMIT_TABLE, "iptables-legacy-restore").rc()).isZero();
      String kernel1 = bits(kernel.send(packets));
      assertThat(kernel.exec("", "iptables-legacy", "-A", "INPUT", "-j", "ACCEPT").rc()).isZero();
      String kernel2 = bits(kernel.send(packets));

      bed.restore(LIMIT_TABLE);
      String ours1 = sendThrough(bed.load(), ours, packets);
      bed.rules("-A INPUT -j ACCEPT");
      String ours2 = sendThrough(bed.load(), ours, packets);
      assertThat(kernel1).isEqualTo("11111111110000").isEqualTo(kernel2);
      assertThat(ours1).isEqualTo(kernel1);
      assertThat(ours2).isEqualTo(kernel2);
    }
  }

  private static String sendThrough(FilterBed bed, TestNetns ns, List<byte[]> packets)
      throws Exception {
    FilterBed.Links links = bed.attach(ns.path());
    try {
      return bits(ns.send(packets));
    } finally {
      links.close();
    }
  }

  private static String bits(boolean[] sent) {
    StringBuilder s = new StringBuilder();
    for (boolean b : sent) {
      s.append(b ? '1' : '0');
    }
    return s.toString();
  }

  private interface Check {
    void accept(String kernelOutput, String kernelSave);
  }

  /** Runs the traffic against the table in the kernel, then in ours: same output, same save. */
  private static void compare(String table, FilterBed.Traffic traffic, Check sane)
      throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    FilterBed.Sides s = FilterBed.againstKernel(table, traffic);
    sane.accept(s.kernelOut(), s.kernelSave());
    System.out.println("kernel: " + s.kernelOut() + "\nours:   " + s.ourOut());
    s.assertOursAreTheKernels();
  }
}

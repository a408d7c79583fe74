package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.json.JsonReader;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The conntrack of REJECT's replies at OUTPUT, the kernel's table (iptables-legacy) against ours on
 * the server of a veth pair whose OUTPUT drops all but RELATED and ESTABLISHED packets and its own
 * new connects: a TCP connect and a UDP datagram from the client to a rejected port (rejected in
 * the original direction of a new, unconfirmed entry: the replies are RELATED in the reply
 * direction, with no status bit), and the server's own connect to the client, whose SYN-ACK is
 * rejected (the reply direction of a confirmed entry that has seen a reply: the RST is RELATED in
 * the original direction, CONFIRMED and SEEN_REPLY). Both sides refuse the client at once and count
 * every OUTPUT rule alike.
 */
@Timeout(120)
class RejectConntrackKernelTest {
  private static final String TABLE =
      String.join(
          "\n",
          "*filter",
          ":INPUT ACCEPT [0:0]",
          ":FORWARD ACCEPT [0:0]",
          ":OUTPUT DROP [0:0]",
          "-A INPUT -p tcp --sport 5555 --tcp-flags SYN,ACK SYN,ACK -j REJECT --reject-with"
              + " tcp-reset",
          "-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset",
          "-A INPUT -p udp --dport 23 -j REJECT",
          "-A OUTPUT -m conntrack --ctstate RELATED --ctdir REPLY",
          "-A OUTPUT -m conntrack --ctstate RELATED --ctdir ORIGINAL",
          "-A OUTPUT -m conntrack --ctstatus CONFIRMED",
          "-A OUTPUT -m conntrack --ctstatus SEEN_REPLY",
          "-A OUTPUT -m conntrack ! --ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED",
          "-A OUTPUT -m state --state INVALID",
          "-A OUTPUT -p tcp -m tcp --tcp-flags RST RST -m state --state RELATED -j ACCEPT",
          "-A OUTPUT -p icmp -m state --state RELATED -j ACCEPT",
          "-A OUTPUT -p tcp -m tcp --dport 5555 -m conntrack --ctstate NEW -j ACCEPT",
          "COMMIT",
          "");

  /**
   * Run in the client: a listener on 5555 while the server connects to it (its SYN-ACK is rejected;
   * the server gives up before its first retransmission), then a connect and a datagram to the
   * server's rejected port 23.
   */
  private static final String CLIENT =
      String.join(
          "\n",
          "import json, socket, subprocess, sys, time",
          "server, python = sys.argv[1], sys.argv[2]",
          "l = socket.socket()",
          "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
          "l.bind(('10.9.0.1', 5555)); l.listen(5)",
          "connect = ('import socket\\ns = socket.socket(); s.settimeout(0.5)\\n'",
          "  'try:\\n  s.connect((\"10.9.0.1\", 5555)); print(\"connected\")\\n'",
          "  'except OSError as e:\\n  print(type(e).__name__)\\n')",
          "r = subprocess.run(['ip', 'netns', 'exec', server, python, '-c', connect],",
          "    capture_output=True, text=True)",
          "out = {'server': r.stdout.strip()}",
          "t0 = time.time()",
          "t = socket.socket(); t.settimeout(2)",
          "try:",
          "    t.connect(('10.9.0.2', 23)); out['tcp'] = 'connected'",
          "except OSError as e:",
          "    out['tcp'] = type(e).__name__",
          "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(2)",
          "u.connect(('10.9.0.2', 23)); u.send(b'x')",
          "try:",
          "    u.recv(10); out['udp'] = 'answered'",
          "except OSError as e:",
          "    out['udp'] = type(e).__name__",
          "out['ms'] = int((time.time() - t0) * 1000)",
          "print(json.dumps(out))");

  @Test
  void rejectRepliesAreRelatedAsTheKernels() throws Exception {
    RealRulesets.requireTools();
    Kernel kernel = kernelSide();
    try (VethPeers o = VethPeers.create();
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      bed.restore(TABLE);
      bed.enforceIn(enforcer, o.server().path(), l -> {});
      Map<String, Object> ours = run(o);
      kernel.check(ours, bed.saveWithCounters(enforcer));
    }
  }

  /**
   * A umh that died left its generation pinned; the next one adopts it and opens a new reply
   * socket: it writes the new socket's cookie to the pinned reply map, which the adopted programs
   * read, so its replies are recognised without a new table.
   */
  @Test
  void anAdoptingUmhsRepliesAreRelatedToo() throws Exception {
    RealRulesets.requireTools();
    Kernel kernel = kernelSide();
    try (TempBpfFs bpffs = TempBpfFs.create();
        VethPeers o = VethPeers.create();
        FilterBed bed = new FilterBed()) {
      bed.restore(TABLE);
      try (Enforcer first = Enforcer.open()) {
        bpffs.mount(first.bpf());
        Netns.call(
            first.bpf(),
            o.server().path(),
            () -> {
              first.pinUnder(bpffs.path());
              first.listen(l -> {});
              return first.install(bed.read());
            });
      } // as if the umh died: the pins keep the programs, the maps and the links
      try (Enforcer second = Enforcer.open()) {
        boolean adopted =
            Netns.call(
                second.bpf(),
                o.server().path(),
                () -> {
                  boolean a = second.pinUnder(bpffs.path());
                  second.listen(l -> {});
                  return a;
                });
        assertThat(adopted).isTrue();
        Map<String, Object> ours = run(o);
        kernel.check(ours, bed.saveWithCounters(second.live().orElseThrow().counters()));
        Netns.call(
            second.bpf(),
            o.server().path(),
            () -> {
              second.stop();
              return null;
            });
      }
    }
  }

  /** What the kernel's table did with the traffic, and the check of ours against it. */
  private record Kernel(Map<String, Object> run, String save) {
    void check(Map<String, Object> ours, String ourSave) {
      assertThat(run.get("server")).isEqualTo("TimeoutError");
      assertThat(run.get("tcp")).isEqualTo("ConnectionRefusedError");
      assertThat(run.get("udp")).isEqualTo("ConnectionRefusedError");
      assertThat(ours.get("server")).isEqualTo(run.get("server"));
      assertThat(ours.get("tcp")).isEqualTo(run.get("tcp"));
      assertThat(ours.get("udp")).isEqualTo(run.get("udp"));
      assertThat(((Number) ours.get("ms")).intValue()).as("refused at once").isLessThan(1000);
      assertThat(save)
          .as("the kernel's: two replies RELATED/REPLY, one RELATED/ORIGINAL")
          .contains("[2:97] -A OUTPUT -m conntrack --ctstate RELATED --ctdir REPLY")
          .contains("[1:40] -A OUTPUT -m conntrack --ctstate RELATED --ctdir ORIGINAL");
      assertThat(ourSave).isEqualTo(save);
    }
  }

  private static Kernel kernelSide() throws Exception {
    try (VethPeers k = VethPeers.create()) {
      TestNetns.Result restored = k.server().exec(TABLE, "iptables-legacy-restore");
      assertThat(restored.rc()).as("kernel restore: %s", restored.err()).isZero();
      Map<String, Object> run = run(k);
      return new Kernel(
          run,
          FilterBed.withoutComments(
              k.server().exec("", "iptables-legacy-save", "-c", "-t", "filter").out()));
    }
  }

  private static Map<String, Object> run(VethPeers peers) throws Exception {
    TestNetns.Result r =
        peers
            .client()
            .exec("", Python3.command(), "-c", CLIENT, peers.server().name, Python3.command());
    assertThat(r.rc()).as("client: %s", r.err()).isZero();
    return JsonReader.parseObject(r.out().trim());
  }
}

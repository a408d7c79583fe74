package bpfilterctl.cli;

import static bpfilterctl.cli.EnforcingDaemon.assumeEnforcement;
import static bpfilterctl.cli.EnforcingDaemon.iptables;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.TestNetns;
import bpfilterctl.core.bpf.VethPeers;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.module.EnforcementStatus;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `bpfilterctl daemon --enforce` on the server of a veth pair with a stateful INPUT (policy DROP,
 * ESTABLISHED/RELATED and new connections to port 22 accepted): conntrack is held for the table, a
 * connection opened before a SIGKILL of the umh carries data while the umh is dead and after its
 * restart (the pinned programs and the holder table outlive it), the blocked port stays blocked,
 * and enforce off removes the holder with the programs.
 */
@Timeout(600)
class EnforcedConntrackDaemonTest {
  private static final String SERVER = VethPeers.SERVER_ADDR;

  // A kill round under traffic (connections held across a SIGKILLed umh and its restart): a soak.
  @Test
  @Tag("soak")
  void anEstablishedConnectionSurvivesASigkilledUmh(@TempDir Path dir) throws Exception {
    assumeEnforcement();
    Bpf bpf = Bpf.open();
    try (VethPeers peers = VethPeers.create()) {
      EnforcingDaemon.run(
          peers.server().name,
          dir,
          (c, iptables) -> {
            try (ServerSocket ssh = listen(bpf, peers, 22);
                ServerSocket blocked = listen(bpf, peers, 2222)) {
              assertThat(held(bpf, peers)).as("no conntrack match yet").isFalse();
              for (String rule :
                  List.of(
                      "-P INPUT DROP",
                      "-A INPUT -m conntrack --ctstate INVALID -j DROP",
                      "-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT",
                      "-A INPUT -p tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT")) {
                iptables(rule, iptables);
              }
              assertThat(c.status().enforcement().state()).isEqualTo(EnforcementStatus.State.ON);
              assertThat(held(bpf, peers)).as("the table uses conntrack").isTrue();

              try (Socket client = connect(bpf, peers, 22);
                  Socket server = ssh.accept()) {
                assertThat(echo(client, server, 100)).isTrue();
                assertThat(connect(bpf, peers, 2222)).as("port 2222 is blocked").isNull();

                ModuleStatus before = c.status();
                TestNetns.run(List.of("kill", "-9", Integer.toString(before.umhPid())), "");
                // whether or not the supervisor has restarted it yet, the pinned programs filter
                assertThat(echo(client, server, 200)).as("established, umh killed").isTrue();
                assertThat(held(bpf, peers)).as("the holder outlives the umh").isTrue();

                ModuleStatus after = EnforcingDaemon.awaitEnforcingAfterOneRestart(c);
                assertThat(after.umhPid()).isNotEqualTo(before.umhPid());
                assertThat(c.log(500))
                    .extracting(LogLine::text)
                    .anyMatch(t -> t.contains("adopted the enforced filter table"));
                assertThat(echo(client, server, 300)).as("established, after the restart").isTrue();
                assertThat(held(bpf, peers)).isTrue();
                try (Socket second = connect(bpf, peers, 22);
                    Socket accepted = ssh.accept()) {
                  assertThat(echo(second, accepted, 10)).as("a new connection to 22").isTrue();
                }
                assertThat(connect(bpf, peers, 2222)).as("still blocked").isNull();

                c.enforce(false);
                assertThat(held(bpf, peers)).as("enforce off removes the holder").isFalse();
                try (Socket open = connect(bpf, peers, 2222);
                    Socket accepted = blocked.accept()) {
                  assertThat(open).as("unenforced: 2222 answers").isNotNull();
                  assertThat(echo(open, accepted, 10)).isTrue();
                }
              }
            }
            c.unload();
            return null;
          });
    }
  }

  private static ServerSocket listen(Bpf bpf, VethPeers peers, int port) throws Exception {
    return Netns.call(
        bpf, peers.server().path(), () -> new ServerSocket(port, 8, InetAddress.getByName(SERVER)));
  }

  /** A connection from the client namespace, or null when nothing answers within half a second. */
  private static Socket connect(Bpf bpf, VethPeers peers, int port) throws Exception {
    return Netns.call(
        bpf,
        peers.client().path(),
        () -> {
          Socket s = new Socket();
          try {
            s.connect(new InetSocketAddress(SERVER, port), 500);
            s.setSoTimeout(2000);
            return s;
          } catch (SocketTimeoutException e) {
            s.close();
            return null;
          }
        });
  }

  /** n bytes from client to server, and back; true when both arrived whole. */
  private static boolean echo(Socket client, Socket server, int n) throws IOException {
    server.setSoTimeout(2000);
    byte[] out = new byte[n];
    java.util.Arrays.fill(out, (byte) 'x');
    client.getOutputStream().write(out);
    byte[] got = readN(server.getInputStream(), n);
    OutputStream back = server.getOutputStream();
    back.write(got);
    return got.length == n && readN(client.getInputStream(), n).length == n;
  }

  private static byte[] readN(InputStream in, int n) throws IOException {
    try {
      return in.readNBytes(n);
    } catch (SocketTimeoutException e) {
      return new byte[0];
    }
  }

  private static boolean held(Bpf bpf, VethPeers peers) throws Exception {
    return Netns.call(bpf, peers.server().path(), Enforcer::conntrackHeld);
  }
}

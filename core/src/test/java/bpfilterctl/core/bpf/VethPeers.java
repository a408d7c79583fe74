package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A client and a server namespace (each a {@link TestNetns}) joined by a veth: client 10.9.0.1 on
 * cv, server 10.9.0.2 on sv. nf_conntrack_tcp_loose is 0 in both, so a stray ACK is INVALID instead
 * of picking up a connection mid-stream. Both are deleted on close.
 */
public record VethPeers(TestNetns client, TestNetns server) implements AutoCloseable {
  public static final String CLIENT_ADDR = "10.9.0.1";
  public static final String SERVER_ADDR = "10.9.0.2";

  public static VethPeers create() throws Exception {
    TestNetns client = TestNetns.create();
    TestNetns server = null;
    try {
      server = TestNetns.create();
      client.ip("link", "add", "cv", "type", "veth", "peer", "name", "sv", "netns", server.name);
      client.ip("addr", "add", CLIENT_ADDR + "/24", "dev", "cv");
      server.ip("addr", "add", SERVER_ADDR + "/24", "dev", "sv");
      client.ip("link", "set", "cv", "up");
      server.ip("link", "set", "sv", "up");
      for (TestNetns ns : List.of(client, server)) {
        sh(ns, "echo 0 > /proc/sys/net/netfilter/nf_conntrack_tcp_loose");
      }
      return new VethPeers(client, server);
    } catch (Exception | AssertionError e) {
      client.close();
      if (server != null) {
        server.close();
      }
      throw e;
    }
  }

  /** Runs conntrack_traffic.py's {@code phase} between the two; its outcome lines. */
  public List<String> traffic(String phase) throws Exception {
    TestNetns.Result r =
        TestNetns.run(List.of("python3", "-", client.name, server.name, phase), script());
    assertThat(r.rc()).as("traffic %s: %s", phase, r.err()).isZero();
    return r.out().lines().toList();
  }

  /** The namespace's conntrack entries. */
  public static int tracked(TestNetns ns) throws Exception {
    TestNetns.Result r = ns.exec("", "cat", "/proc/sys/net/netfilter/nf_conntrack_count");
    assertThat(r.rc()).as(r.err()).isZero();
    return Integer.parseInt(r.out().trim());
  }

  static void sh(TestNetns ns, String command) throws Exception {
    TestNetns.Result r = ns.exec("", "sh", "-c", command);
    assertThat(r.rc()).as("%s: %s", command, r.err()).isZero();
  }

  private static String script() throws IOException {
    try (InputStream in = VethPeers.class.getResourceAsStream("/bpf/conntrack_traffic.py")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      client.close();
    } finally {
      server.close();
    }
  }
}

package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Python3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A client and a server namespace (each a {@link TestNetns}) joined by a veth (client 10.9.0.1 on
 * cv, server 10.9.0.2 on sv), or, routed, through a router namespace (client 10.9.1.1 on cv, router
 * 10.9.1.254 on cr and 10.9.2.254 on sr, server 10.9.2.1 on sv; the router forwards).
 * nf_conntrack_tcp_loose is 0 everywhere, so a stray ACK is INVALID instead of picking up a
 * connection mid-stream. All are deleted on close.
 *
 * @param router null when client and server share the veth
 */
public record VethPeers(
    TestNetns client, TestNetns server, TestNetns router, String clientAddr, String serverAddr)
    implements AutoCloseable {
  public static final String CLIENT_ADDR = "10.9.0.1";
  public static final String SERVER_ADDR = "10.9.0.2";

  /** Client and server on one veth. */
  public static VethPeers create() throws Exception {
    List<TestNetns> made = new ArrayList<>();
    try {
      TestNetns client = made(made);
      TestNetns server = made(made);
      link(client, "cv", CLIENT_ADDR + "/24", server, "sv", SERVER_ADDR + "/24");
      loose(made);
      return new VethPeers(client, server, null, CLIENT_ADDR, SERVER_ADDR);
    } catch (Exception | AssertionError e) {
      closeAll(made);
      throw e;
    }
  }

  /** Client and server on two veths to a router, which forwards between them. */
  public static VethPeers routed() throws Exception {
    List<TestNetns> made = new ArrayList<>();
    try {
      TestNetns client = made(made);
      TestNetns server = made(made);
      TestNetns router = made(made);
      link(client, "cv", "10.9.1.1/24", router, "cr", "10.9.1.254/24");
      link(server, "sv", "10.9.2.1/24", router, "sr", "10.9.2.254/24");
      client.ip("route", "add", "10.9.2.0/24", "via", "10.9.1.254");
      server.ip("route", "add", "10.9.1.0/24", "via", "10.9.2.254");
      sh(router, "echo 1 > /proc/sys/net/ipv4/ip_forward");
      loose(made);
      return new VethPeers(client, server, router, "10.9.1.1", "10.9.2.1");
    } catch (Exception | AssertionError e) {
      closeAll(made);
      throw e;
    }
  }

  /** Where the filter table under test sits: the router, or the server. */
  public TestNetns filtering() {
    return router != null ? router : server;
  }

  private static TestNetns made(List<TestNetns> made) throws Exception {
    TestNetns ns = TestNetns.create();
    made.add(ns);
    return ns;
  }

  private static void link(
      TestNetns a, String aDev, String aAddr, TestNetns b, String bDev, String bAddr)
      throws Exception {
    a.ip("link", "add", aDev, "type", "veth", "peer", "name", bDev, "netns", b.name);
    a.ip("addr", "add", aAddr, "dev", aDev);
    b.ip("addr", "add", bAddr, "dev", bDev);
    a.ip("link", "set", aDev, "up");
    b.ip("link", "set", bDev, "up");
  }

  private static void loose(List<TestNetns> all) throws Exception {
    for (TestNetns ns : all) {
      sh(ns, "echo 0 > /proc/sys/net/netfilter/nf_conntrack_tcp_loose");
    }
  }

  private static void closeAll(List<TestNetns> made) throws IOException {
    for (TestNetns ns : made) {
      ns.close();
    }
  }

  /** Runs conntrack_traffic.py's {@code phase} between the two; its outcome lines. */
  public List<String> traffic(String phase) throws Exception {
    TestNetns.Result r =
        TestNetns.run(
            List.of(
                Python3.command(), "-", client.name, server.name, phase, clientAddr, serverAddr),
            script());
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
    List<TestNetns> all = new ArrayList<>(List.of(client, server));
    if (router != null) {
      all.add(router);
    }
    closeAll(all);
  }
}

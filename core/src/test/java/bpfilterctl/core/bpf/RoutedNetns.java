package bpfilterctl.core.bpf;

import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Three network namespaces this test created, in a line: sender (s0) —veth— (r0) router (r1) —veth—
 * (d0) receiver. The router forwards between them and owns three addresses; the two ends own none
 * of the test's addresses and do not forward, so they answer nothing and keep what reaches them to
 * their capture. Neighbours are static (no ARP), redirects and ICMP rate limits are off in the
 * router: every packet the router sends follows from the packets it was given, at once.
 *
 * <p>Each namespace runs a {@link NetnsAgent}: the ends send packets on raw sockets and capture the
 * IPv4 frames arriving on their veth; the router sends too, and captures what LOCAL_IN delivered.
 */
final class RoutedNetns implements AutoCloseable {
  /** The three namespaces. */
  enum Node {
    SENDER,
    ROUTER,
    RECEIVER
  }

  /** Addresses behind the sender's side (its veth's subnets and the router's default route). */
  static final int[] SENDER_HOSTS = {
    Packets.addr(10, 1, 0, 1),
    Packets.addr(10, 1, 0, 2),
    Packets.addr(10, 1, 5, 1),
    Packets.addr(10, 9, 0, 1)
  };

  /** The router's own: r0's, r1's, lo's. */
  static final int[] ROUTER_ADDRS = {
    Packets.addr(10, 1, 0, 254), Packets.addr(10, 3, 0, 1), Packets.addr(10, 4, 0, 1)
  };

  /** Addresses behind the receiver's side (10.3/16 and 10.5/16 are routed there). */
  static final int[] RECEIVER_HOSTS = {
    Packets.addr(10, 3, 0, 2), Packets.addr(10, 3, 0, 9), Packets.addr(10, 5, 7, 1)
  };

  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final String SENDER_MAC = "02:00:00:00:01:01";
  private static final String R0_MAC = "02:00:00:00:02:01";
  private static final String R1_MAC = "02:00:00:00:02:02";
  private static final String RECEIVER_MAC = "02:00:00:00:03:01";

  private final Map<Node, String> names = new EnumMap<>(Node.class);
  private final Map<Node, NetnsAgent> agents = new EnumMap<>(Node.class);

  private RoutedNetns() {}

  static RoutedNetns create() throws Exception {
    Require.root("network namespaces");
    Require.command("ip", "iproute2");
    Require.command("python3", "python3");
    RoutedNetns t = new RoutedNetns();
    try {
      String base = "bpfr-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
      for (Node n : Node.values()) {
        String name = base + "-" + n.name().toLowerCase(java.util.Locale.ROOT);
        TestNetns.Result r = TestNetns.run(List.of("ip", "netns", "add", name), "");
        Require.that(r.rc() == 0, "ip netns add refused: " + r.err());
        t.names.put(n, name);
        t.ip(n, "link set lo up");
      }
      t.setUp();
    } catch (Exception | AssertionError e) {
      t.close();
      throw e;
    }
    return t;
  }

  private void setUp() throws Exception {
    String router = names.get(Node.ROUTER);
    String receiver = names.get(Node.RECEIVER);
    ip(
        Node.SENDER,
        "link add s0 address "
            + SENDER_MAC
            + " type veth peer name r0 address "
            + R0_MAC
            + " netns "
            + router);
    ip(
        Node.ROUTER,
        "link add r1 address "
            + R1_MAC
            + " type veth peer name d0 address "
            + RECEIVER_MAC
            + " netns "
            + receiver);
    ip(Node.SENDER, "link set s0 up");
    ip(Node.ROUTER, "link set r0 up");
    ip(Node.ROUTER, "link set r1 up");
    ip(Node.RECEIVER, "link set d0 up");
    ip(Node.ROUTER, "addr add 10.1.0.254/32 dev r0");
    ip(Node.ROUTER, "addr add 10.3.0.1/32 dev r1");
    ip(Node.ROUTER, "addr add 10.4.0.1/32 dev lo");
    // next hops 10.0.1.2 (the sender) and 10.0.2.2 (the receiver), never resolved by ARP
    ip(Node.ROUTER, "neigh add 10.0.1.2 lladdr " + SENDER_MAC + " dev r0 nud permanent");
    ip(Node.ROUTER, "neigh add 10.0.2.2 lladdr " + RECEIVER_MAC + " dev r1 nud permanent");
    ip(Node.ROUTER, "route add default via 10.0.1.2 dev r0 onlink");
    ip(Node.ROUTER, "route add 10.3.0.0/16 via 10.0.2.2 dev r1 onlink");
    ip(Node.ROUTER, "route add 10.5.0.0/16 via 10.0.2.2 dev r1 onlink");
    ip(Node.SENDER, "neigh add 10.0.1.1 lladdr " + R0_MAC + " dev s0 nud permanent");
    ip(Node.SENDER, "route add default via 10.0.1.1 dev s0 onlink");
    ip(Node.RECEIVER, "neigh add 10.0.2.1 lladdr " + R1_MAC + " dev d0 nud permanent");
    ip(Node.RECEIVER, "route add default via 10.0.2.1 dev d0 onlink");

    List<String> end = List.of("net.ipv4.ip_forward=0");
    List<String> forwarder = new ArrayList<>();
    forwarder.add("net.ipv4.ip_forward=1");
    forwarder.add("net.ipv4.icmp_ratemask=0"); // every ICMP error sent, none rate-limited
    for (String conf : List.of("all", "r0", "r1")) {
      forwarder.add("net.ipv4.conf." + conf + ".send_redirects=0");
      forwarder.add("net.ipv4.conf." + conf + ".rp_filter=0");
    }
    agents.put(Node.SENDER, NetnsAgent.start(names.get(Node.SENDER), "s0", end));
    agents.put(Node.RECEIVER, NetnsAgent.start(names.get(Node.RECEIVER), "d0", end));
    agents.put(Node.ROUTER, NetnsAgent.start(router, "-", forwarder));
  }

  /** The path of a namespace, for {@code Netns.call}. */
  String path(Node n) {
    return "/run/netns/" + names.get(n);
  }

  /** Runs a command inside a namespace. */
  TestNetns.Result exec(Node n, String stdin, String... cmd) throws Exception {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", names.get(n)));
    argv.addAll(List.of(cmd));
    return TestNetns.run(argv, stdin);
  }

  NetnsAgent agent(Node n) {
    return agents.get(n);
  }

  /** {@code ip -n NETNS} with {@code args} (split on spaces). */
  private void ip(Node n, String args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", names.get(n)));
    argv.addAll(List.of(args.split(" ")));
    TestNetns.Result r = TestNetns.run(argv, "");
    if (r.rc() != 0) {
      throw new IllegalStateException(argv + ": " + r.err());
    }
  }

  /** Ends the agents and deletes the namespaces (their veths go with them). */
  @Override
  public void close() throws IOException {
    agents.values().forEach(NetnsAgent::close);
    try {
      for (String name : names.values()) {
        TestNetns.run(List.of("ip", "netns", "del", name), "");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted deleting " + names.values(), e);
    }
  }
}

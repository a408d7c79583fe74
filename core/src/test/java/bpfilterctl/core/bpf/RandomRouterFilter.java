package bpfilterctl.core.bpf;

import bpfilterctl.core.bpf.RoutedNetns.Node;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Random filter tables (iptables-restore text) for {@link RoutedNetns}'s router, with rules in
 * INPUT, FORWARD and OUTPUT and four user chains that jump only forward, and the packets its three
 * namespaces send: addresses with contiguous and other masks, -i/-o with the topology's names,
 * {@code +} prefixes and names that exist nowhere, protocols, tcp/udp ports and ranges, tcp flags,
 * icmp types and codes, fragments, {@code !} on all of them, ACCEPT/DROP policies, RETURN, jumps,
 * gotos and rules without a target; now and then a run of same-shape rules that the compiler can
 * decide with one lookup. Values are drawn from small sets so that rules and packets often meet.
 */
final class RandomRouterFilter {
  static final int LOCAL_IN = 1;
  static final int FORWARD = 2;
  static final int LOCAL_OUT = 3;

  /** TTL of every packet sent (a forwarded one arrives with one less): not the kernel's 64. */
  static final int TTL = 100;

  private static final String[] ADDRS = {
    "10.1.0.1",
    "10.1.0.0/24",
    "10.1.0.0/16",
    "10.0.0.0/8",
    "10.9.0.1",
    "10.1.0.254",
    "10.3.0.1",
    "10.4.0.1/32",
    "10.3.0.0/16",
    "10.3.0.0/24",
    "10.5.0.0/16",
    "10.3.0.2",
    "10.5.7.1",
    "10.0.0.1/255.0.0.255",
    "10.1.0.2/255.255.0.254",
    "0.0.0.0/0"
  };
  private static final String[] IN_IF = {
    "r0", "r1", "lo", "r+", "l+", "+", "eth0", "s0", "r", "r0+", "vethlongname123"
  };
  private static final String[] OUT_IF = {
    "r0", "r1", "lo", "r+", "+", "eth0", "d0", "r1+", "lo+", "vethlongname12+"
  };
  private static final String[] PORTS = {
    "1", "2", "53", "1:3", "2:53", "1024:", "0:1", "65535", "1000:2000", ":2"
  };
  private static final int[] PKT_PORTS = {1, 2, 3, 53, 1024, 1500, 65535};
  private static final String[] ICMP = {
    "echo-request",
    "echo-reply",
    "destination-unreachable",
    "port-unreachable",
    "host-unreachable",
    "3/0",
    "time-exceeded",
    "any",
    "8/1"
  };
  private static final int[][] PKT_ICMP = {{8, 0}, {8, 0}, {0, 0}, {3, 0}, {3, 1}, {3, 3}, {11, 0}};
  private static final String[] TCP_FLAGS = {
    "--syn",
    "--tcp-flags SYN,ACK,FIN ACK",
    "--tcp-flags ALL RST",
    "--tcp-flags SYN,RST SYN",
    "--tcp-flags ACK,FIN FIN,ACK"
  };
  private static final int[] PKT_TCP_FLAGS = {
    0x02, 0x02, 0x02, 0x12, 0x10, 0x11, 0x04, 0x14, 0, 0x29
  };
  private static final String[] CHAINS = {"u0", "u1", "u2", "u3"};

  /** A protocol no kernel handler answers (an answer to it would be one more packet to compare). */
  static final int OTHER = 253;

  /**
   * One packet to send: from which namespace, where the test expects to find it if the filter lets
   * it through ({@code to}, null: nowhere to look), and through which hook it passes first (0: the
   * test does not count its fate, as for a fragment the router only reassembles). {@code key}
   * identifies it in a capture: IP id, fragment field and TTL as it arrives.
   */
  record Shot(Node from, byte[] packet, int hook, Node to, long key) {}

  private final Random r;
  private int nextId;

  /** {@code firstId}: IP ids are handed out from there, so that no two seeds' fragments meet. */
  RandomRouterFilter(long seed, int firstId) {
    this.r = new Random(seed);
    this.nextId = firstId;
  }

  private String pick(String[] a) {
    return a[r.nextInt(a.length)];
  }

  private int pick(int[] a) {
    return a[r.nextInt(a.length)];
  }

  private String not() {
    return r.nextInt(4) == 0 ? "! " : "";
  }

  String table() {
    StringBuilder t = new StringBuilder("*filter\n");
    for (String c : List.of("INPUT", "FORWARD", "OUTPUT")) {
      t.append(':').append(c).append(r.nextInt(3) == 0 ? " DROP" : " ACCEPT").append(" [0:0]\n");
    }
    for (String c : CHAINS) {
      t.append(':').append(c).append(" - [0:0]\n");
    }
    chain(t, "INPUT", true, false, -1);
    chain(t, "FORWARD", true, true, -1);
    chain(t, "OUTPUT", false, true, -1);
    for (int c = 0; c < CHAINS.length; c++) {
      chain(t, CHAINS[c], true, true, c);
    }
    return t.append("COMMIT\n").toString();
  }

  private void chain(StringBuilder t, String name, boolean in, boolean out, int user) {
    for (int i = r.nextInt(user < 0 ? 9 : 6); i > 0; i--) {
      t.append("-A ").append(name).append(' ').append(rule(in, out, user)).append('\n');
    }
    if (r.nextInt(user < 0 ? 3 : 4) == 0) {
      run(name, t);
      for (int i = r.nextInt(3); i > 0; i--) {
        t.append("-A ").append(name).append(' ').append(rule(in, out, user)).append('\n');
      }
    }
  }

  private static final String[] RUN_HOST = {
    "10.1.0.1", "10.1.0.2", "10.1.5.1", "10.9.0.1", "10.3.0.2", "10.5.7.1", "10.4.0.1", "10.3.0.1"
  };
  private static final String[] RUN_NET24 = {
    "10.1.0.0/24", "10.1.5.0/24", "10.9.0.0/24", "10.3.0.0/24", "10.5.7.0/24"
  };
  private static final String[] RUN_NET16 = {
    "10.1.0.0/16", "10.3.0.0/16", "10.4.0.0/16", "10.5.0.0/16"
  };

  /**
   * 4 to 12 rules of one shape (what the compiler may decide with one lookup): the same tested
   * fields, values from the packets' small space (duplicates included), ACCEPT or DROP.
   */
  private void run(String chain, StringBuilder t) {
    String[] src = new String[][] {null, RUN_HOST, RUN_NET24}[r.nextInt(3)];
    String[] dst = new String[][] {null, RUN_NET16, RUN_HOST}[r.nextInt(3)];
    int kind = r.nextInt(6); // none, -p alone, udp match, udp dport, tcp sport+dport, udp sport
    String proto = new String[] {"udp", "icmp", Integer.toString(OTHER)}[r.nextInt(3)];
    for (int i = 4 + r.nextInt(9); i > 0; i--) {
      List<String> p = new ArrayList<>();
      if (src != null) {
        p.add("-s " + pick(src));
      }
      if (dst != null) {
        p.add("-d " + pick(dst));
      }
      String port = Integer.toString(pick(PKT_PORTS));
      switch (kind) {
        case 1 -> p.add("-p " + proto);
        case 2 -> p.add("-p udp -m udp");
        case 3 -> p.add("-p udp --dport " + port);
        case 4 -> p.add("-p tcp --sport " + pick(PKT_PORTS) + " --dport " + port);
        case 5 -> p.add("-p udp --sport " + port);
        default -> {}
      }
      if (p.isEmpty()) {
        p.add("-s " + pick(RUN_HOST));
      }
      p.add(r.nextBoolean() ? "-j DROP" : "-j ACCEPT");
      t.append("-A ").append(chain).append(' ').append(String.join(" ", p)).append('\n');
    }
  }

  /** A rule for a chain where -i ({@code in}) and -o ({@code out}) may be used. */
  private String rule(boolean in, boolean out, int user) {
    List<String> p = new ArrayList<>();
    if (r.nextInt(3) == 0) {
      p.add(not() + "-s " + pick(ADDRS));
    }
    if (r.nextInt(3) == 0) {
      p.add(not() + "-d " + pick(ADDRS));
    }
    if (in && r.nextInt(4) == 0) {
      p.add(not() + "-i " + pick(IN_IF));
    }
    if (out && r.nextInt(4) == 0) {
      p.add(not() + "-o " + pick(OUT_IF));
    }
    switch (r.nextInt(8)) {
      case 0 -> {
        p.add("-p tcp");
        ports(p);
        if (r.nextInt(3) == 0) {
          p.add(not() + pick(TCP_FLAGS));
        }
      }
      case 1, 2 -> {
        p.add("-p udp");
        ports(p);
      }
      case 3 -> {
        p.add("-p icmp");
        if (r.nextInt(4) > 0) {
          p.add(not() + "--icmp-type " + pick(ICMP));
        }
      }
      case 4 -> p.add(not() + "-p " + new String[] {"tcp", "udp", "icmp", "253"}[r.nextInt(4)]);
      default -> {}
    }
    if (r.nextInt(8) == 0) {
      p.add(not() + "-f");
    }
    if (p.isEmpty() && r.nextInt(4) > 0) {
      // keep most rules conditional: one that matches everything early hides the rest
      p.add(not() + (r.nextBoolean() ? "-s " : "-d ") + pick(ADDRS));
    }
    int t = r.nextInt(10);
    int jumpable = CHAINS.length - user - 1;
    if (t < 3 && jumpable > 0) {
      String target = CHAINS[user + 1 + r.nextInt(jumpable)];
      p.add((r.nextInt(3) == 0 ? "-g " : "-j ") + target);
    } else if (t < 6) {
      p.add("-j DROP");
    } else if (t < 8) {
      p.add("-j ACCEPT");
    } else if (t < 9) {
      p.add("-j RETURN");
    } // else no target: the rule only counts
    return String.join(" ", p);
  }

  private void ports(List<String> p) {
    if (r.nextBoolean()) {
      p.add(not() + "--sport " + pick(PORTS));
    }
    if (r.nextBoolean()) {
      p.add(not() + "--dport " + pick(PORTS));
    }
  }

  /** About {@code n} packets (a fragmented datagram counts as one). */
  List<Shot> shots(int n) {
    List<Shot> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      datagram(out);
    }
    return out;
  }

  private enum Shape {
    WHOLE,
    PAIR,
    REVERSED_PAIR,
    FIRST,
    SECOND,
    OFFSET1,
    TRUNCATED
  }

  /** One datagram from a random namespace: whole, cut short, or as fragments. */
  private void datagram(List<Shot> out) {
    int roll = r.nextInt(100);
    Node from = roll < 50 ? Node.SENDER : roll < 75 ? Node.RECEIVER : Node.ROUTER;
    int src;
    int dst;
    Node to;
    roll = r.nextInt(100);
    switch (from) {
      case SENDER -> {
        src = pick(RoutedNetns.SENDER_HOSTS);
        to = roll < 40 ? Node.ROUTER : roll < 85 ? Node.RECEIVER : Node.SENDER;
      }
      case RECEIVER -> {
        src = pick(RoutedNetns.RECEIVER_HOSTS);
        to = roll < 40 ? Node.ROUTER : roll < 90 ? Node.SENDER : Node.RECEIVER;
      }
      default -> {
        src =
            r.nextInt(10) < 7
                ? pick(RoutedNetns.ROUTER_ADDRS)
                : pick(r.nextBoolean() ? RoutedNetns.SENDER_HOSTS : RoutedNetns.RECEIVER_HOSTS);
        to = roll < 40 ? Node.SENDER : roll < 80 ? Node.RECEIVER : Node.ROUTER;
      }
    }
    dst =
        switch (to) {
          case SENDER -> pick(RoutedNetns.SENDER_HOSTS);
          case RECEIVER -> pick(RoutedNetns.RECEIVER_HOSTS);
          case ROUTER -> pick(RoutedNetns.ROUTER_ADDRS);
        };
    boolean local = to == Node.ROUTER;
    Shape shape;
    roll = r.nextInt(100);
    if (from == Node.ROUTER && local) {
      // no fragments: one the filter dropped would leave its mate to time out, and the router
      // would send "reassembly time exceeded" 30 s later
      shape = roll < 85 ? Shape.WHOLE : Shape.TRUNCATED;
    } else if (local) {
      // the router reassembles before LOCAL_IN; a lone first fragment would time out (above)
      shape =
          roll < 65
              ? Shape.WHOLE
              : roll < 75
                  ? Shape.PAIR
                  : roll < 82 ? Shape.REVERSED_PAIR : roll < 90 ? Shape.SECOND : Shape.TRUNCATED;
    } else {
      Shape[] all = Shape.values();
      shape = roll < 55 ? Shape.WHOLE : all[1 + r.nextInt(all.length - 1)];
    }
    int ttl = from != Node.ROUTER && !local && r.nextInt(20) == 0 ? 1 : TTL;
    boolean options = r.nextInt(10) == 0;
    int id = nextId;
    nextId = nextId % 0xffff + 1;
    int proto = new int[] {17, 17, 17, 6, 6, 1, 1, 1, OTHER}[r.nextInt(9)];
    boolean split = shape != Shape.WHOLE && shape != Shape.TRUNCATED;
    byte[] l4 = transport(proto, src, dst, id, split ? 24 : 0);
    java.util.function.BiFunction<Integer, byte[], byte[]> ip =
        (frag, part) -> ip(src, dst, proto, id, frag, ttl, options, part);

    // the hook it passes first, and where it shows up when let through (its TTL decremented
    // there if forwarded; expired ones go nowhere)
    int hook = from == Node.ROUTER ? LOCAL_OUT : local ? LOCAL_IN : FORWARD;
    int seenTtl = from == Node.ROUTER || local ? ttl : ttl - 1;
    Node at = ttl == 1 ? null : to;
    int counted = at == null ? 0 : hook;
    switch (shape) {
      case WHOLE -> out.add(new Shot(from, ip.apply(0, l4), counted, at, key(id, 0, seenTtl)));
      case TRUNCATED -> {
        int keep = proto == 6 ? 12 : proto == OTHER ? l4.length : r.nextInt(5);
        byte[] cut = Arrays.copyOf(l4, keep);
        out.add(new Shot(from, ip.apply(0, cut), counted, at, key(id, 0, seenTtl)));
      }
      case PAIR, REVERSED_PAIR -> {
        int cut = 8 * (1 + r.nextInt(2));
        byte[] a = ip.apply(0x2000, Arrays.copyOf(l4, cut));
        byte[] b = ip.apply(cut / 8, Arrays.copyOfRange(l4, cut, l4.length));
        List<Shot> pair =
            local // reassembled before LOCAL_IN: passes it once, whole
                ? List.of(
                    new Shot(from, a, counted, at, key(id, 0, seenTtl)),
                    new Shot(from, b, 0, null, 0))
                : List.of(
                    new Shot(from, a, counted, at, key(id, 0x2000, seenTtl)),
                    new Shot(from, b, counted, at, key(id, cut / 8, seenTtl)));
        out.addAll(shape == Shape.PAIR ? pair : List.of(pair.get(1), pair.get(0)));
      }
      case FIRST -> {
        byte[] p = ip.apply(0x2000, Arrays.copyOf(l4, 8));
        out.add(new Shot(from, p, counted, at, key(id, 0x2000, seenTtl)));
      }
      case SECOND, OFFSET1 -> {
        int off = shape == Shape.SECOND ? 2 : 1; // offset 1: a tcp match hotdrops it
        byte[] p = ip.apply(off, Arrays.copyOfRange(l4, 8 * off, l4.length));
        // to the router it waits for its first fragment: never reaches LOCAL_IN
        out.add(
            local
                ? new Shot(from, p, 0, null, 0)
                : new Shot(from, p, counted, at, key(id, off, seenTtl)));
      }
    }
  }

  /** What identifies a packet in a capture: id, fragment field (flags and offset), TTL. */
  static long key(int id, int frag, int ttl) {
    return ((long) id << 32) | ((long) frag << 8) | ttl;
  }

  /** The key of a captured IPv4 packet. */
  static long key(byte[] ip) {
    ByteBuffer b = ByteBuffer.wrap(ip);
    return key(b.getShort(4) & 0xffff, b.getShort(6) & 0xffff, ip[8] & 0xff);
  }

  /** An IPv4 header (with four NOP option bytes when {@code options}) and {@code l4}. */
  private static byte[] ip(
      int src, int dst, int proto, int id, int frag, int ttl, boolean options, byte[] l4) {
    int hl = options ? 24 : 20;
    ByteBuffer b = ByteBuffer.allocate(hl + l4.length).order(ByteOrder.BIG_ENDIAN);
    b.put(0, (byte) (0x40 | hl / 4));
    b.putShort(2, (short) (hl + l4.length));
    b.putShort(4, (short) id);
    b.putShort(6, (short) frag);
    b.put(8, (byte) ttl);
    b.put(9, (byte) proto);
    b.putInt(12, src);
    b.putInt(16, dst);
    if (options) {
      b.putInt(20, 0x01010101);
    }
    b.put(hl, l4);
    return b.array();
  }

  /**
   * A transport header and payload of at least {@code minLength} bytes, checksummed as a whole
   * datagram (so that the router's stack accepts it and answers as it would).
   */
  private byte[] transport(int proto, int src, int dst, int id, int minLength) {
    byte[] payload = new byte[Math.max(minLength, r.nextInt(32))];
    r.nextBytes(payload);
    ByteBuffer b;
    int csumAt;
    switch (proto) {
      case 17 -> {
        b = ByteBuffer.allocate(8 + payload.length);
        b.putShort(0, (short) pick(PKT_PORTS)).putShort(2, (short) pick(PKT_PORTS));
        b.putShort(4, (short) (8 + payload.length));
        b.put(8, payload);
        csumAt = r.nextInt(10) == 0 ? -1 : 6; // now and then no checksum (0), as UDP allows
      }
      case 6 -> {
        b = ByteBuffer.allocate(20 + payload.length);
        b.putShort(0, (short) pick(PKT_PORTS)).putShort(2, (short) pick(PKT_PORTS));
        b.putInt(4, id << 12); // a sequence number of its own: the RST that answers it is unique
        int flags = pick(PKT_TCP_FLAGS);
        b.putInt(8, (flags & 0x10) != 0 ? r.nextInt() : 0);
        b.put(12, (byte) 0x50).put(13, (byte) flags).putShort(14, (short) 1024);
        b.put(20, payload);
        csumAt = 16;
      }
      case 1 -> {
        int[] tc = PKT_ICMP[r.nextInt(PKT_ICMP.length)];
        b = ByteBuffer.allocate(8 + payload.length);
        b.put(0, (byte) tc[0]).put(1, (byte) tc[1]).putShort(4, (short) id).putShort(6, (short) 1);
        b.put(8, payload);
        csumAt = 2;
      }
      default -> {
        return payload.length < 4 ? new byte[4] : payload;
      }
    }
    if (csumAt >= 0) {
      int sum = proto == 1 ? 0 : pseudoHeader(src, dst, proto, b.capacity());
      int c = checksum(sum, b.array());
      b.putShort(csumAt, (short) (c == 0 && proto == 17 ? 0xffff : c));
    }
    return b.array();
  }

  private static int pseudoHeader(int src, int dst, int proto, int length) {
    return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + proto + length;
  }

  /** The Internet checksum of {@code data} with {@code sum} added (ones' complement). */
  private static int checksum(int sum, byte[] data) {
    long s = sum;
    for (int i = 0; i < data.length; i += 2) {
      s += ((data[i] & 0xff) << 8) | (i + 1 < data.length ? data[i + 1] & 0xff : 0);
    }
    while ((s >> 16) != 0) {
      s = (s & 0xffff) + (s >> 16);
    }
    return (int) (~s & 0xffff);
  }
}

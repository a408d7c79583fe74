package bpfilterctl.core.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random filter tables (iptables-restore text) over the matches beyond ports (multiport, iprange,
 * mark, comment, length, ttl, tos, dscp, pkttype, tcp --tcp-option, icmp type names), with rules in
 * INPUT and OUTPUT and two user chains, and random packets whose fields fall in the same small
 * spaces: the packets go out through LOCAL_OUT; those to multicast or broadcast addresses come back
 * through LOCAL_IN as PACKET_LOOPBACK.
 */
final class MatchRandomFilter {
  /** A packet and the skb mark it is sent with. */
  record Packet(byte[] bytes, int mark) {}

  private static final String[] CHAINS = {"u0", "u1"};
  private static final String[] PORT_ITEMS = {"0", "1", "2", "3", "65535", "1:2", "2:4", "0:1"};
  private static final String[] MARKS = {"0x0", "0x1", "0x2", "0x3", "0x10", "0xff"};
  private static final int[] PKT_MARKS = {0, 1, 2, 3, 0x10, 0x11, 0x12};
  private static final String[] RANGES = {
    "10.1.0.1-10.1.0.2",
    "10.1.0.0-10.1.255.255",
    "10.2.0.9-10.2.0.9",
    "224.0.0.0-239.255.255.255",
    "0.0.0.0-10.1.0.1",
    "10.2.0.1-255.255.255.255"
  };
  private static final String[] LENGTHS = {"0:40", "41:60", "50", "61:65535", "28:28", "0:65535"};
  private static final String[] TOS = {
    "0x10/0x3f", "0x08", "0x00/0x03", "0x28/0xfc", "Minimize-Delay", "0xb8/0xff", "0x0/0x0"
  };
  private static final String[] DSCP = {
    "--dscp 0", "--dscp 0x2e", "--dscp 63", "--dscp-class AF11", "--dscp-class EF", "--dscp 4"
  };
  private static final String[] PKTTYPES = {"unicast", "broadcast", "multicast"};
  private static final String[] ICMP = {
    "echo-request",
    "echo-reply",
    "destination-unreachable",
    "host-unreachable",
    "port-unreachable",
    "time-exceeded",
    "ttl-zero-during-transit",
    "parameter-problem",
    "redirect",
    "any",
    "3/1",
    "11"
  };
  private static final int[] OPTIONS = {1, 2, 3, 4, 5, 8};

  private static final int[] PKT_SRC = {
    Packets.addr(10, 1, 0, 1), Packets.addr(10, 1, 0, 2), Packets.addr(10, 1, 5, 1)
  };
  private static final int[] PKT_DST = {
    Packets.addr(10, 2, 0, 1),
    Packets.addr(10, 2, 0, 9),
    Packets.addr(10, 3, 0, 1),
    Packets.addr(224, 0, 0, 1),
    Packets.addr(239, 1, 2, 3),
    Packets.addr(255, 255, 255, 255)
  };
  private static final int[] PKT_PORTS = {0, 1, 2, 3, 4, 65535};
  private static final int[] PKT_TTL = {0, 1, 2, 63, 64, 254, 255};
  private static final int[] PKT_TOS = {0, 0x10, 0x08, 0x28, 0x2b, 0xb8, 0xfc, 0x03, 0x50};

  /** TCP option bytes (padded to words). */
  private static final int[][] TCP_OPTIONS = {
    {},
    {2, 4, 5, 0xb4},
    {1, 1, 1, 3, 3, 7, 0, 0},
    {4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2},
    {5, 0, 8, 0},
    {0, 0, 0, 2},
    {1, 1, 1, 1}
  };

  private final Random r;

  MatchRandomFilter(long seed) {
    this.r = new Random(seed);
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
    t.append(":INPUT ").append(r.nextBoolean() ? "ACCEPT" : "DROP").append(" [0:0]\n");
    t.append(":FORWARD ACCEPT [0:0]\n");
    t.append(":OUTPUT ").append(r.nextBoolean() ? "ACCEPT" : "DROP").append(" [0:0]\n");
    for (String c : CHAINS) {
      t.append(':').append(c).append(" - [0:0]\n");
    }
    for (String chain : new String[] {"INPUT", "OUTPUT"}) {
      for (int i = 1 + r.nextInt(8); i > 0; i--) {
        t.append("-A ").append(chain).append(' ').append(rule(-1)).append('\n');
      }
    }
    for (int c = 0; c < CHAINS.length; c++) {
      for (int i = r.nextInt(5); i > 0; i--) {
        t.append("-A ").append(CHAINS[c]).append(' ').append(rule(c)).append('\n');
      }
    }
    return t.append("COMMIT\n").toString();
  }

  private String rule(int chain) {
    List<String> p = new ArrayList<>();
    int proto = r.nextInt(5); // none, tcp, udp, icmp, 47
    switch (proto) {
      case 1 -> p.add("-p tcp");
      case 2 -> p.add("-p udp");
      case 3 -> p.add("-p icmp");
      case 4 -> p.add("-p 47");
      default -> {}
    }
    boolean tcpUsed = false;
    for (int n = 1 + r.nextInt(2); n > 0; n--) {
      int kind = r.nextInt(proto == 1 || proto == 2 ? 12 : proto == 3 ? 11 : 9);
      switch (kind) {
        case 0 -> {
          p.add("-m iprange");
          if (r.nextBoolean()) {
            p.add(not() + "--src-range " + pick(RANGES));
          }
          if (r.nextBoolean() || p.get(p.size() - 1).equals("-m iprange")) {
            p.add(not() + "--dst-range " + pick(RANGES));
          }
        }
        case 1 -> {
          String m = pick(MARKS);
          p.add("-m mark " + not() + "--mark " + (r.nextBoolean() ? m : m + "/" + pick(MARKS)));
        }
        case 2 -> p.add("-m comment --comment c" + r.nextInt(100));
        case 3 -> p.add("-m length " + not() + "--length " + pick(LENGTHS));
        case 4 -> {
          int v = pick(PKT_TTL);
          p.add(
              switch (r.nextInt(4)) {
                case 0 -> "-m ttl --ttl-eq " + v;
                case 1 -> "-m ttl ! --ttl-eq " + v;
                case 2 -> "-m ttl --ttl-lt " + v;
                default -> "-m ttl --ttl-gt " + v;
              });
        }
        case 5 -> p.add("-m tos " + not() + "--tos " + pick(TOS));
        case 6 -> p.add("-m dscp " + not() + pick(DSCP));
        case 7 -> p.add("-m pkttype " + not() + "--pkt-type " + pick(PKTTYPES));
        case 8 -> p.add("-m comment --comment x" + r.nextInt(10));
        case 9 -> {
          if (proto == 3) {
            p.add("-m icmp " + not() + "--icmp-type " + pick(ICMP));
          } else {
            p.add(multiport());
          }
        }
        case 10 -> {
          if (proto == 3) {
            p.add("-m icmp " + not() + "--icmp-type " + pick(ICMP));
          } else {
            p.add(multiport());
          }
        }
        default -> {
          if (proto == 1 && !tcpUsed) {
            tcpUsed = true;
            String ports = r.nextBoolean() ? "--dport " + (1 + r.nextInt(3)) + " " : "";
            p.add("-m tcp " + ports + not() + "--tcp-option " + pick(OPTIONS));
          } else {
            p.add(multiport());
          }
        }
      }
    }
    int t = r.nextInt(10);
    int jumpable = CHAINS.length - chain - 1;
    if (t < 2 && jumpable > 0) {
      String target = CHAINS[chain + 1 + r.nextInt(jumpable)];
      p.add((r.nextInt(3) == 0 ? "-g " : "-j ") + target);
    } else if (t < 5) {
      p.add("-j DROP");
    } else if (t < 7) {
      p.add("-j ACCEPT");
    } else if (t < 8 && chain >= 0) {
      p.add("-j RETURN");
    }
    return String.join(" ", p);
  }

  private String multiport() {
    String dir = new String[] {"--sports", "--dports", "--ports"}[r.nextInt(3)];
    List<String> items = new ArrayList<>();
    for (int i = 1 + r.nextInt(3); i > 0; i--) {
      items.add(pick(PORT_ITEMS));
    }
    return "-m multiport " + not() + dir + " " + String.join(",", items);
  }

  List<Packet> packets(int n) {
    List<Packet> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Packet(packet(), pick(PKT_MARKS)));
    }
    return out;
  }

  private byte[] packet() {
    int src = pick(PKT_SRC);
    int dst = pick(PKT_DST);
    int frag = r.nextInt(16) == 0 ? new int[] {1, 2, 0x2000}[r.nextInt(3)] : 0;
    boolean tiny = r.nextInt(12) == 0; // 2 bytes of transport header
    int extra = r.nextInt(30);
    int sport = pick(PKT_PORTS);
    int dport = pick(PKT_PORTS);
    int proto;
    byte[] payload;
    switch (r.nextInt(4)) {
      case 0 -> {
        proto = Packets.TCP;
        payload = tiny ? new byte[2] : tcp(sport, dport, extra);
      }
      case 1 -> {
        proto = Packets.UDP;
        payload = tiny ? new byte[2] : ports(sport, dport, 8 + extra);
      }
      case 2 -> {
        proto = Packets.ICMP;
        payload = new byte[8 + extra];
        payload[0] = (byte) new int[] {0, 3, 5, 8, 11, 12}[r.nextInt(6)];
        payload[1] = (byte) new int[] {0, 1, 3}[r.nextInt(3)];
      }
      default -> {
        proto = 47;
        payload = new byte[4 + extra];
      }
    }
    byte[] p = Packets.ip(src, dst, proto, frag, payload);
    p[1] = (byte) pick(PKT_TOS);
    p[8] = (byte) pick(PKT_TTL);
    return p;
  }

  private byte[] ports(int sport, int dport, int size) {
    ByteBuffer u = ByteBuffer.allocate(size).order(ByteOrder.BIG_ENDIAN);
    u.putShort(0, (short) sport).putShort(2, (short) dport);
    return u.array();
  }

  /** A TCP header with random options, now and then cut short or with a data offset under 5. */
  private byte[] tcp(int sport, int dport, int extra) {
    int[] opts = TCP_OPTIONS[r.nextInt(TCP_OPTIONS.length)];
    int doff = 5 + opts.length / 4;
    int present = opts.length;
    switch (r.nextInt(10)) {
      case 0 -> doff = 4;
      case 1 -> {
        doff += 2; // claims 8 more option bytes than the packet has
        extra = 0;
      }
      default -> {}
    }
    ByteBuffer t = ByteBuffer.allocate(20 + present + extra).order(ByteOrder.BIG_ENDIAN);
    t.putShort(0, (short) sport).putShort(2, (short) dport);
    t.put(12, (byte) (doff << 4)).put(13, (byte) r.nextInt(0x40));
    for (int i = 0; i < present; i++) {
      t.put(20 + i, (byte) opts[i]);
    }
    return t.array();
  }
}

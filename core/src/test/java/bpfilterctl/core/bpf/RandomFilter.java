package bpfilterctl.core.bpf;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random filter tables (iptables-restore text) and packets for the differential test: rules in
 * OUTPUT and three user chains that jump only forward, over a small space of addresses, ports,
 * types and flags so that rules and packets often meet; now and then a run of same-shape rules that
 * the compiler can decide with one lookup.
 */
final class RandomFilter {
  private static final String[] SRC = {"10.1.0.1", "10.1.0.0/24", "10.0.0.0/8", "10.1.0.0/16"};
  private static final String[] DST = {"10.2.0.1", "10.2.0.0/24", "10.2.0.0/16", "10.3.0.1"};
  private static final String[] OUT_IF = {"d0", "d+", "lo", "eth0", "l+"};
  private static final String[] PORTS = {"1", "2", "1:2", "2:3", "3", "2:"};
  private static final String[] ICMP = {
    "echo-request", "echo-reply", "3/1", "destination-unreachable", "any"
  };
  private static final String[] CHAINS = {"u0", "u1", "u2"};
  private static final int[] PKT_SRC = {
    Packets.addr(10, 1, 0, 1),
    Packets.addr(10, 1, 0, 2),
    Packets.addr(10, 1, 5, 1),
    Packets.addr(10, 9, 0, 1)
  };
  private static final int[] PKT_DST = {
    Packets.addr(10, 2, 0, 1),
    Packets.addr(10, 2, 0, 9),
    Packets.addr(10, 2, 7, 1),
    Packets.addr(10, 3, 0, 1)
  };

  private final Random r;

  RandomFilter(long seed) {
    this.r = new Random(seed);
  }

  private String pick(String[] a) {
    return a[r.nextInt(a.length)];
  }

  private String not() {
    return r.nextInt(4) == 0 ? "! " : "";
  }

  String table() {
    StringBuilder t = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n");
    t.append(":OUTPUT ").append(r.nextBoolean() ? "ACCEPT" : "DROP").append(" [0:0]\n");
    for (String c : CHAINS) {
      t.append(':').append(c).append(" - [0:0]\n");
    }
    for (int i = r.nextInt(9); i > 0; i--) {
      t.append("-A OUTPUT ").append(rule(-1)).append('\n');
    }
    if (r.nextBoolean()) {
      run("OUTPUT", t);
      for (int i = r.nextInt(4); i > 0; i--) {
        t.append("-A OUTPUT ").append(rule(-1)).append('\n');
      }
    }
    for (int c = 0; c < CHAINS.length; c++) {
      for (int i = r.nextInt(6); i > 0; i--) {
        t.append("-A ").append(CHAINS[c]).append(' ').append(rule(c)).append('\n');
      }
      if (r.nextInt(3) == 0) {
        run(CHAINS[c], t);
      }
    }
    return t.append("COMMIT\n").toString();
  }

  private static final String[] RUN_SRC32 = {"10.1.0.1", "10.1.0.2", "10.1.5.1", "10.9.0.1"};
  private static final String[] RUN_SRC24 = {"10.1.0.0/24", "10.1.5.0/24", "10.9.0.0/24"};
  private static final String[] RUN_DST16 = {"10.2.0.0/16", "10.3.0.0/16"};

  /**
   * 4 to 12 rules of one shape (what the compiler may decide with one lookup): the same tested
   * fields, values from the packets' small space (duplicates included), ACCEPT or DROP.
   */
  private void run(String chain, StringBuilder t) {
    String[] src = new String[][] {null, RUN_SRC32, RUN_SRC24}[r.nextInt(3)];
    String[] dst = new String[][] {null, RUN_DST16}[r.nextInt(2)];
    int kind = r.nextInt(6); // none, -p raw, udp match, udp dport, tcp sport+dport, udp sport
    for (int i = 4 + r.nextInt(9); i > 0; i--) {
      List<String> p = new ArrayList<>();
      if (src != null) {
        p.add("-s " + pick(src));
      }
      if (dst != null) {
        p.add("-d " + pick(dst));
      }
      String port = Integer.toString(1 + r.nextInt(4));
      switch (kind) {
        case 1 -> p.add("-p " + (r.nextBoolean() ? "udp" : "47"));
        case 2 -> p.add("-p udp -m udp");
        case 3 -> p.add("-p udp --dport " + port);
        case 4 -> p.add("-p tcp --sport " + (1 + r.nextInt(4)) + " --dport " + port);
        case 5 -> p.add("-p udp --sport " + port);
        default -> {}
      }
      if (p.isEmpty()) {
        p.add("-s " + pick(RUN_SRC32));
      }
      p.add(r.nextBoolean() ? "-j DROP" : "-j ACCEPT");
      t.append("-A ").append(chain).append(' ').append(String.join(" ", p)).append('\n');
    }
  }

  private String rule(int chain) {
    List<String> p = new ArrayList<>();
    if (r.nextInt(3) == 0) {
      p.add(not() + "-s " + pick(SRC));
    }
    if (r.nextInt(3) == 0) {
      p.add(not() + "-d " + pick(DST));
    }
    if (r.nextInt(5) == 0) {
      p.add(not() + "-o " + pick(OUT_IF));
    }
    switch (r.nextInt(7)) {
      case 0 -> {
        p.add("-p tcp");
        if (r.nextBoolean()) {
          p.add(not() + "--sport " + pick(PORTS));
        }
        if (r.nextBoolean()) {
          p.add(not() + "--dport " + pick(PORTS));
        }
        switch (r.nextInt(4)) {
          case 0 -> p.add(not() + "--syn");
          case 1 -> p.add(not() + "--tcp-flags SYN,ACK,FIN ACK");
          default -> {}
        }
      }
      case 1 -> {
        p.add("-p udp");
        if (r.nextBoolean()) {
          p.add(not() + "--sport " + pick(PORTS));
        }
        if (r.nextBoolean()) {
          p.add(not() + "--dport " + pick(PORTS));
        }
      }
      case 2 -> {
        p.add("-p icmp");
        if (r.nextBoolean()) {
          p.add(not() + "--icmp-type " + pick(ICMP));
        }
      }
      case 3 -> p.add(not() + "-p " + (r.nextBoolean() ? "tcp" : "47"));
      default -> {}
    }
    if (r.nextInt(8) == 0) {
      p.add(not() + "-f");
    }
    int t = r.nextInt(10);
    int jumpable = CHAINS.length - chain - 1;
    if (t < 3 && jumpable > 0) {
      String target = CHAINS[chain + 1 + r.nextInt(jumpable)];
      p.add((r.nextInt(3) == 0 ? "-g " : "-j ") + target);
    } else if (t < 6) {
      p.add("-j DROP");
    } else if (t < 8) {
      p.add("-j ACCEPT");
    } else if (t < 9 || chain >= 0) {
      p.add("-j RETURN");
    }
    return String.join(" ", p);
  }

  List<byte[]> packets(int n) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(packet());
    }
    return out;
  }

  private byte[] packet() {
    int src = PKT_SRC[r.nextInt(PKT_SRC.length)];
    int dst = PKT_DST[r.nextInt(PKT_DST.length)];
    int frag =
        switch (r.nextInt(12)) {
          case 0 -> 0x2000;
          case 1 -> 1;
          case 2 -> 2;
          case 3 -> 0x2001;
          default -> 0;
        };
    boolean cut = r.nextInt(10) == 0;
    int extra = r.nextInt(40);
    int port1 = 1 + r.nextInt(4);
    int port2 = 1 + r.nextInt(4);
    return switch (r.nextInt(4)) {
      case 0 -> {
        byte[] t = new byte[cut ? 12 : 20 + extra];
        t[0] = (byte) (port1 >> 8);
        t[1] = (byte) port1;
        t[3] = (byte) port2;
        if (t.length > 13) {
          t[12] = 0x50;
          t[13] = (byte) r.nextInt(0x40);
        }
        yield Packets.ip(src, dst, Packets.TCP, frag, t);
      }
      case 1 -> {
        byte[] u = new byte[cut ? 4 : 8 + extra];
        u[1] = (byte) port1;
        u[3] = (byte) port2;
        yield Packets.ip(src, dst, Packets.UDP, frag, u);
      }
      case 2 -> {
        byte[] c = new byte[cut ? 4 : 8 + extra];
        c[0] = (byte) new int[] {0, 3, 8}[r.nextInt(3)];
        c[1] = (byte) new int[] {0, 1, 3}[r.nextInt(3)];
        yield Packets.ip(src, dst, Packets.ICMP, frag, c);
      }
      default -> Packets.ip(src, dst, 47, frag, new byte[4 + extra]);
    };
  }
}

package bpfilterctl.core.iptables;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small iptables grammar walked at random from a seed: chain commands (-N -X -E -F -Z -P), rule
 * commands (-A -I -R -D -C by spec and by number) over addresses, interfaces, protocols, ports and
 * a few matches and targets, listings, and now and then a command that must fail. Chains are drawn
 * from a small pool so that rules meet the chains they name; the same seed gives the same sequence.
 */
final class DifferentialCommands {
  private static final List<String> TABLES = List.of("filter", "nat", "mangle", "raw");
  private static final Map<String, List<String>> BUILTINS =
      Map.of(
          "filter", List.of("INPUT", "FORWARD", "OUTPUT"),
          "nat", List.of("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
          "mangle", List.of("PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"),
          "raw", List.of("PREROUTING", "OUTPUT"));
  private static final List<String> USER = List.of("web", "c2", "LOGDROP", "f2b-x");
  private static final List<String> MATCHES =
      List.of("multiport", "conntrack", "comment", "limit", "mark", "mac", "iprange");

  private final Random r;

  DifferentialCommands(long seed) {
    this.r = new Random(seed);
  }

  /** {@code n} commands, each the argv after "iptables". */
  List<List<String>> sequence(int n) {
    List<List<String>> out = new ArrayList<>();
    // a few user chains first, so that rules meet existing chains more often than not
    for (int i = 0; i < Math.min(n, 4); i++) {
      String table = i < 2 ? "filter" : pick(TABLES);
      out.add(List.of("-t", table, "-N", pick(USER)));
    }
    for (int i = out.size(); i < n; i++) {
      out.add(command());
    }
    return out;
  }

  private List<String> command() {
    String table = pick(TABLES.subList(0, 1 + r.nextInt(2) * (1 + r.nextInt(3))));
    List<String> a = new ArrayList<>();
    if (!table.equals("filter") || r.nextInt(4) == 0) {
      a.add("-t");
      a.add(table);
    }
    int k = r.nextInt(100);
    if (k < 10) {
      a.add("-N");
      a.add(r.nextInt(12) == 0 ? pick(List.of("INPUT", "a b", "x".repeat(29))) : pick(USER));
    } else if (k < 14) {
      a.add("-X");
      if (r.nextInt(4) > 0) {
        a.add(chain(table));
      }
    } else if (k < 17) {
      a.add("-E");
      a.add(chain(table));
      a.add(chain(table));
    } else if (k < 21) {
      a.add(pick(List.of("-F", "-Z")));
      if (r.nextBoolean()) {
        a.add(chain(table));
      }
      if (a.contains("-Z") && r.nextInt(3) == 0) {
        a.add("1");
      }
    } else if (k < 25) {
      a.add("-P");
      a.add(chain(table));
      a.add(pick(List.of("ACCEPT", "DROP", "RETURN", "web")));
    } else if (k < 40) {
      a.add("-A");
      rule(a, table);
    } else if (k < 50) {
      a.add("-I");
      a.add(chain(table));
      if (r.nextBoolean()) {
        a.add(Integer.toString(1 + r.nextInt(2)));
      }
      spec(
          a,
          table,
          a.get(a.size() - 1).matches("\\d+") ? a.get(a.size() - 2) : a.get(a.size() - 1));
    } else if (k < 56) {
      a.add("-R");
      a.add(chain(table));
      a.add(Integer.toString(r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(2)));
      spec(a, table, a.get(a.size() - 2));
    } else if (k < 66) {
      a.add("-D");
      if (r.nextBoolean()) {
        a.add(chain(table));
        a.add(Integer.toString(1 + r.nextInt(3)));
      } else {
        rule(a, table);
      }
    } else if (k < 72) {
      a.add("-C");
      rule(a, table);
    } else if (k < 84) {
      a.add(pick(List.of("-L", "-L", "-S")));
      if (r.nextBoolean()) {
        a.add(chain(table));
      }
      if (a.contains("-L")) {
        a.add("-n");
        for (String o : List.of("-v", "--line-numbers", "-x")) {
          if (r.nextBoolean()) {
            a.add(o);
          }
        }
      }
    } else {
      invalid(a, table);
    }
    return a;
  }

  private void rule(List<String> a, String table) {
    String chain = chain(table);
    a.add(chain);
    spec(a, table, chain);
  }

  private void spec(List<String> a, String table, String chain) {
    if (r.nextInt(3) == 0) {
      address(a, "-s");
    }
    if (r.nextInt(4) == 0) {
      address(a, "-d");
    }
    if (r.nextInt(4) == 0) {
      iface(a, chain.endsWith("POSTROUTING") || chain.equals("OUTPUT") ? "-o" : "-i");
    }
    String proto = null;
    if (r.nextInt(2) == 0) {
      proto = pick(List.of("tcp", "udp", "icmp"));
      if (r.nextInt(8) == 0) {
        a.add("!");
      }
      a.add("-p");
      a.add(proto);
      if (!proto.equals("icmp") && r.nextBoolean()) {
        a.add(pick(List.of("--dport", "--sport")));
        a.add(port());
      } else if (proto.equals("icmp") && r.nextInt(3) == 0) {
        a.add("--icmp-type");
        a.add(pick(List.of("echo-request", "8", "3/1", "any")));
      }
    }
    if (r.nextInt(3) == 0) {
      match(a, proto);
    }
    target(a, table);
  }

  private void match(List<String> a, String proto) {
    String m = pick(MATCHES);
    a.add("-m");
    a.add(m);
    switch (m) {
      case "multiport" -> {
        if (proto == null || proto.equals("icmp")) {
          a.add(0, "tcp");
          a.add(0, "-p");
        }
        a.add(pick(List.of("--dports", "--sports", "--ports")));
        a.add(pick(List.of("80,443", "22", "1000:2000,3000", "ssh,http")));
      }
      case "conntrack" -> {
        if (r.nextInt(4) == 0) {
          a.add("!");
        }
        a.add("--ctstate");
        a.add(pick(List.of("NEW", "ESTABLISHED,RELATED", "INVALID", "DNAT")));
      }
      case "comment" -> {
        a.add("--comment");
        a.add(pick(List.of("plain", "two words", "q\"uote")));
      }
      case "limit" -> {
        a.add("--limit");
        a.add(pick(List.of("5/min", "3/second", "1/hour", "100/day")));
        if (r.nextBoolean()) {
          a.add("--limit-burst");
          a.add(Integer.toString(1 + r.nextInt(20)));
        }
      }
      case "mark" -> {
        a.add("--mark");
        a.add(pick(List.of("0x1", "0x4000/0x4000", "7/0xff")));
      }
      case "mac" -> {
        a.add("--mac-source");
        a.add(pick(List.of("00:11:22:33:44:55", "aa:bb:cc:dd:ee:ff")));
      }
      default -> {
        a.add(pick(List.of("--src-range", "--dst-range")));
        a.add(pick(List.of("10.0.0.1-10.0.0.9", "192.168.1.10-192.168.1.20")));
      }
    }
  }

  private void target(List<String> a, String table) {
    int t = r.nextInt(10);
    if (t < 4) {
      a.add("-j");
      a.add(pick(List.of("ACCEPT", "DROP", "RETURN")));
    } else if (t < 6) {
      a.add(r.nextInt(3) == 0 ? "-g" : "-j");
      a.add(pick(USER));
    } else if (t == 6) {
      a.add("-j");
      a.add("LOG");
      if (r.nextBoolean()) {
        a.add("--log-prefix");
        a.add(pick(List.of("drop: ", "IN ")));
      }
    } else if (t == 7) {
      a.add("-j");
      a.add("REJECT");
      if (r.nextBoolean()) {
        a.add("--reject-with");
        a.add(pick(List.of("icmp-host-prohibited", "tcp-reset", "icmp-port-unreachable")));
      }
    } else if (t == 8 && table.equals("mangle")) {
      a.add("-j");
      a.add("MARK");
      a.add(pick(List.of("--set-mark", "--or-mark", "--set-xmark")));
      a.add(pick(List.of("0x10", "0x4000/0x4000", "1")));
    }
    // otherwise no target: a counting rule
  }

  private void address(List<String> a, String opt) {
    if (r.nextInt(5) == 0) {
      a.add("!");
    }
    a.add(opt);
    a.add(
        pick(
            List.of(
                "10.0.0.1",
                "10.1.0.0/16",
                "10.2.0.0/255.255.0.0",
                "192.168.7.9/24",
                "0.0.0.0/0",
                "172.16.0.0/255.240.0.0",
                "10.0.0.0/8")));
  }

  private void iface(List<String> a, String opt) {
    if (r.nextInt(4) == 0) {
      a.add("!");
    }
    a.add(opt);
    a.add(pick(List.of("eth0", "eth+", "br-1a2b", "lo", "veth+")));
  }

  private String port() {
    return pick(List.of("22", "80", "1024:65535", ":1023", "8000:", "ssh", "53"));
  }

  private void invalid(List<String> a, String table) {
    switch (r.nextInt(8)) {
      case 0 ->
          a.addAll(List.of("-A", chain(table), "-p", "tcp", "--dport", "70000", "-j", "DROP"));
      case 1 -> a.addAll(List.of("-A", "NOSUCH", "-j", "ACCEPT"));
      case 2 -> a.addAll(List.of("-A", chain(table), "--dport", "22", "-j", "ACCEPT"));
      case 3 -> a.addAll(List.of("-A", chain(table), "-s", "1.2.3.256", "-j", "DROP"));
      case 4 -> a.addAll(List.of("-A", chain(table), "-j", "nosuchtarget"));
      case 5 -> a.addAll(List.of("-D", chain(table), "9"));
      case 6 -> a.addAll(List.of("--bogus"));
      default ->
          a.addAll(
              List.of("-A", chain(table), "-p", "tcp", "-m", "conntrack", "--ctstate", "BOGUS"));
    }
  }

  private String chain(String table) {
    return r.nextInt(5) < 3 ? pick(BUILTINS.get(table)) : pick(USER);
  }

  private String pick(List<String> l) {
    return l.get(r.nextInt(l.size()));
  }
}

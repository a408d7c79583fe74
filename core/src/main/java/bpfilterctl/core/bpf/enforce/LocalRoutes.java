package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.AddrtypeMatch;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Netlink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What inet_dev_addr_type finds in the namespace's local routing table, as the entries of an LPM
 * trie: for each prefix, the route fib_table_lookup would take there, as {type, nexthop 0's
 * ifindex}.
 *
 * <p>The kernel's rules, from fib_trie.c and fib_frontend.c: the local table is a trie of aliases;
 * while the namespace never had a policy rule of its own it shares its trie with main ("merged":
 * /proc/net/fib_trie then prints the same trie under Main and Local), so main's routes take part,
 * after local's at the same prefix (aliases are ordered by table id, highest first). At a prefix,
 * the first alias whose tos is 0 and with a nexthop not dead is taken; a prefix without one is
 * passed over for a shorter one (the LPM trie does the same when the prefix is absent). An error
 * route (blackhole, unreachable, prohibit, throw) ends the lookup with an error: unicast. No local
 * table at all: every address is broadcast (a /0 entry that no device limits).
 */
final class LocalRoutes {
  private static final int RTM_NEWROUTE = 24;
  private static final int RTM_GETROUTE = 26;
  private static final int NLMSG_ERROR = 2;
  private static final int NLMSG_DONE = 3;
  private static final int NLM_F_REQUEST = 1;
  private static final int NLM_F_DUMP = 0x300;
  private static final int NLM_F_DUMP_INTR = 0x10;
  private static final int AF_INET = 2;
  private static final int RTA_DST = 1;
  private static final int RTA_OIF = 4;
  private static final int RTA_MULTIPATH = 9;
  private static final int RTA_TABLE = 15;
  private static final int RTNH_F_DEAD = 1;
  static final int RT_TABLE_MAIN = 254;
  static final int RT_TABLE_LOCAL = 255;

  private LocalRoutes() {}

  /** One IPv4 route of a dump. {@code dst} in host order; {@code alive}: a nexthop not dead. */
  record Route(int table, int dst, int len, int tos, int type, int ifindex, boolean alive) {}

  /** Dumps every IPv4 route of the socket's namespace, in the kernel's order. */
  static List<Route> dump(Netlink nl) throws BpfException {
    while (true) {
      ByteBuffer req = ByteBuffer.allocate(28).order(ByteOrder.nativeOrder());
      req.putInt(0, 28).putShort(4, (short) RTM_GETROUTE);
      req.putShort(6, (short) (NLM_F_REQUEST | NLM_F_DUMP)).putInt(8, 1);
      req.put(16, (byte) AF_INET);
      nl.send(req.array());
      List<Route> routes = new ArrayList<>();
      boolean interrupted = false;
      boolean done = false;
      while (!done) {
        ByteBuffer b = ByteBuffer.wrap(nl.receive()).order(ByteOrder.nativeOrder());
        int at = 0;
        while (at + 16 <= b.limit()) {
          int len = b.getInt(at);
          int type = Short.toUnsignedInt(b.getShort(at + 4));
          int flags = Short.toUnsignedInt(b.getShort(at + 6));
          interrupted |= (flags & NLM_F_DUMP_INTR) != 0;
          if (type == NLMSG_DONE) {
            done = true;
            break;
          }
          if (type == NLMSG_ERROR) {
            int err = -b.getInt(at + 16);
            if (err != 0) {
              throw new BpfException("RTM_GETROUTE dump", err);
            }
          } else if (type == RTM_NEWROUTE) {
            Route r = route(b.slice(at, len).order(ByteOrder.nativeOrder()));
            if (r != null) {
              routes.add(r);
            }
          }
          if (len < 16) {
            break;
          }
          at += (len + 3) & ~3;
        }
      }
      if (!interrupted) {
        return routes;
      }
    }
  }

  /** An RTM_NEWROUTE message (nlmsghdr first); null when not IPv4. */
  static Route route(ByteBuffer m) {
    if (m.get(16) != AF_INET) {
      return null;
    }
    int dstLen = Byte.toUnsignedInt(m.get(17));
    int tos = Byte.toUnsignedInt(m.get(19));
    int table = Byte.toUnsignedInt(m.get(20));
    int type = Byte.toUnsignedInt(m.get(23));
    int flags = m.getInt(24);
    int dst = 0;
    int oif = 0;
    boolean alive = (flags & RTNH_F_DEAD) == 0;
    int at = 28;
    while (at + 4 <= m.limit()) {
      int len = Short.toUnsignedInt(m.getShort(at));
      int kind = Short.toUnsignedInt(m.getShort(at + 2)) & 0x3fff;
      if (len < 4) {
        break;
      }
      switch (kind) {
        case RTA_DST -> dst = Integer.reverseBytes(m.getInt(at + 4)); // network order
        case RTA_OIF -> oif = m.getInt(at + 4);
        case RTA_TABLE -> table = m.getInt(at + 4);
        case RTA_MULTIPATH -> {
          // rtnexthop {u16 len; u8 flags; u8 hops; s32 ifindex}: the first gives nexthop 0
          alive = false;
          int nh = at + 4;
          boolean first = true;
          while (nh + 8 <= at + len) {
            int nlen = Short.toUnsignedInt(m.getShort(nh));
            if (first) {
              oif = m.getInt(nh + 4);
              first = false;
            }
            alive |= (m.get(nh + 2) & RTNH_F_DEAD) == 0;
            if (nlen < 8) {
              break;
            }
            nh += (nlen + 3) & ~3;
          }
        }
        default -> {}
      }
      at += (len + 3) & ~3;
    }
    if (ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN) {
      dst = Integer.reverseBytes(dst);
    }
    return new Route(table, dst, dstLen, tos, type, oif, alive);
  }

  /** The local table as /proc/net/fib_trie shows it: whether it exists, whether it is merged. */
  record Trie(boolean exists, boolean merged) {
    /** From the text of fib_trie: sections named Main, Local, or by id. */
    static Trie parse(String fibTrie) {
      Map<String, StringBuilder> sections = new LinkedHashMap<>();
      StringBuilder current = null;
      for (String line : fibTrie.split("\n")) {
        if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && line.endsWith(":")) {
          current = new StringBuilder();
          sections.put(line.substring(0, line.length() - 1), current);
        } else if (current != null) {
          current.append(line).append('\n');
        }
      }
      StringBuilder local = sections.get("Local");
      StringBuilder main = sections.get("Main");
      return new Trie(
          local != null, local != null && main != null && local.toString().equals(main.toString()));
    }

    /** Read by the calling thread, in its own network namespace. */
    static Trie read() throws IOException {
      return parse(Files.readString(Path.of("/proc/thread-self/net/fib_trie")));
    }
  }

  /**
   * The LPM entries: key {prefix length, address in network order} packed as (len << 32 |
   * address-as-loaded), value (ifindex << 32 | type).
   */
  static Map<Long, Long> entries(List<Route> routes, Trie trie) {
    Map<Long, Long> out = new LinkedHashMap<>();
    if (!trie.exists()) {
      out.put(key(0, 0), value(AddrtypeMatch.RTN_BROADCAST, AddrtypeMatch.ANY_DEVICE));
      return out;
    }
    List<Route> aliases = new ArrayList<>();
    for (int table :
        trie.merged() ? new int[] {RT_TABLE_LOCAL, RT_TABLE_MAIN} : new int[] {RT_TABLE_LOCAL}) {
      for (Route r : routes) {
        if (r.table() == table) {
          aliases.add(r);
        }
      }
    }
    for (Route r : aliases) {
      if (r.tos() != 0 || !r.alive()) {
        continue;
      }
      int mask = r.len() == 0 ? 0 : -1 << (32 - r.len());
      long k = key(r.len(), r.dst() & mask);
      if (!out.containsKey(k)) {
        out.put(
            k,
            isError(r.type())
                ? value(AddrtypeMatch.RTN_UNICAST, AddrtypeMatch.ANY_DEVICE)
                : value(r.type(), r.ifindex()));
      }
    }
    return out;
  }

  /** RTN_BLACKHOLE .. RTN_THROW: fib_props[type].error is set. */
  private static boolean isError(int type) {
    return type >= 6 && type <= 9;
  }

  /** {@code address} in host order; the key holds it as the program loads it (network order). */
  static long key(int len, int address) {
    return ((long) len << 32) | Integer.toUnsignedLong(Integer.reverseBytes(address));
  }

  static long value(int type, int ifindex) {
    return ((long) ifindex << 32) | Integer.toUnsignedLong(type);
  }
}

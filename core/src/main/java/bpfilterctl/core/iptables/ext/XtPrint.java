package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.Ipv4;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers the extension codecs share: unsigned reads, C strings, ports and addresses. */
public final class XtPrint {
  private XtPrint() {}

  public static int u8(ByteBuffer b, int at) {
    return Byte.toUnsignedInt(b.get(at));
  }

  public static int u16(ByteBuffer b, int at) {
    return Short.toUnsignedInt(b.getShort(at));
  }

  public static long u32(ByteBuffer b, int at) {
    return Integer.toUnsignedLong(b.getInt(at));
  }

  /** A big-endian (network order) u16 in a little-endian struct. */
  public static int be16(ByteBuffer b, int at) {
    return Short.toUnsignedInt(Short.reverseBytes(b.getShort(at)));
  }

  public static void putBe16(ByteBuffer b, int at, int v) {
    b.putShort(at, Short.reverseBytes((short) v));
  }

  /** A big-endian u32 in a little-endian struct (addresses, masks). */
  public static long be32(ByteBuffer b, int at) {
    return Integer.toUnsignedLong(Integer.reverseBytes(b.getInt(at)));
  }

  public static void putBe32(ByteBuffer b, int at, long v) {
    b.putInt(at, Integer.reverseBytes((int) v));
  }

  /** A NUL-terminated string in a fixed field. */
  public static String cString(ByteBuffer b, int at, int size) {
    int n = 0;
    while (n < size && b.get(at + n) != 0) {
      n++;
    }
    byte[] s = new byte[n];
    b.get(at, s);
    return new String(s, StandardCharsets.UTF_8);
  }

  /** strncpy of at most size-1 bytes and a NUL (the field is zero before). */
  public static void putCString(ByteBuffer b, int at, int size, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int n = Math.min(bytes.length, size - 1);
    b.put(at, bytes, 0, n);
    b.put(at + n, (byte) 0);
  }

  /** Dotted quad of a host-order address. */
  public static String ip(long hostOrder) {
    return Ipv4.dotted((int) hostOrder);
  }

  /** Address bytes in network order as a host-order long. */
  public static long ip(byte[] a) {
    return ((a[0] & 0xffL) << 24) | ((a[1] & 0xffL) << 16) | ((a[2] & 0xffL) << 8) | (a[3] & 0xffL);
  }

  /** xtables_ipmask_to_cidr: the prefix length of a host-order mask, -1 if none. */
  public static int cidr(long mask) {
    return (mask >>> 32) != 0 ? -1 : Ipv4.prefixLength((int) mask);
  }

  /** A port as a service name of proto when not numeric and one exists (getservbyport). */
  public static String port(int port, String proto, boolean numeric, Lookups l) {
    if (!numeric) {
      if (proto == null) {
        for (String p : new String[] {"tcp", "udp"}) {
          var n = l.serviceName(port, p);
          if (n.isPresent()) {
            return n.get();
          }
        }
      } else {
        var n = l.serviceName(port, proto);
        if (n.isPresent()) {
          return n.get();
        }
      }
    }
    return Integer.toString(port);
  }

  /** xtables_ipmask_to_numeric: "" for /32, "/n" for a prefix, else "/a.b.c.d". */
  public static String mask(long hostOrderMask) {
    int c = cidr(hostOrderMask);
    if (c < 0) {
      return "/" + ip(hostOrderMask);
    }
    return c == 32 ? "" : "/" + c;
  }

  /**
   * xtables_ipaddr_to_anyname without its reverse lookups: the dotted quad (a name service is not
   * asked here; /etc/hosts names are what iptables would print for local addresses).
   */
  public static String anyName(long hostOrder) {
    return ip(hostOrder);
  }

  /** printf("0x%x"). */
  public static String hex(long v) {
    return "0x" + Long.toHexString(v);
  }

  /**
   * The "label:port" or "labels:lo:hi" of sctp's and dccp's -L (nothing for the whole range, not
   * inverted); ports named from /etc/services for {@code proto} unless numeric.
   */
  static void portRange(
      String proto,
      String label,
      int off,
      boolean invert,
      boolean numeric,
      ExtData d,
      StringBuilder out) {
    int lo = d.data().getShort(off) & 0xffff;
    int hi = d.data().getShort(off + 2) & 0xffff;
    if (lo == 0 && hi == 0xffff && !invert) {
      return;
    }
    String bang = invert ? "!" : "";
    out.append(' ').append(label);
    if (lo == hi) {
      out.append(':').append(bang).append(servicePort(lo, numeric, proto, d.lookups()));
    } else {
      out.append("s:")
          .append(bang)
          .append(servicePort(lo, numeric, proto, d.lookups()))
          .append(':')
          .append(servicePort(hi, numeric, proto, d.lookups()));
    }
  }

  private static String servicePort(int port, boolean numeric, String proto, Lookups lookups) {
    return (numeric ? java.util.Optional.<String>empty() : lookups.serviceName(port, proto))
        .orElse(Integer.toString(port));
  }
}

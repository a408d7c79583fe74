package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * libxtables' (xtables.c) parsers every part of the front-end shares: ports and services,
 * protocols, numeric addresses, interface names and prefix masks, each as iptables 1.8.9 reads it.
 */
public final class Libxtables {
  private Libxtables() {}

  /** xtables_chain_protos: the names -p and PROTOCOL options know before /etc/protocols. */
  private static final List<String> CHAIN_PROTO_NAMES =
      List.of(
          "tcp",
          "sctp",
          "udp",
          "udplite",
          "icmp",
          "ipv6-icmp",
          "icmpv6",
          "esp",
          "ah",
          "mobility-header",
          "ipv6-mh",
          "mh",
          "all");

  private static final int[] CHAIN_PROTO_NUMBERS = {
    6, 132, 17, 136, 1, 58, 58, 50, 51, 135, 135, 135, 0
  };

  /** Protocols whose service names glibc's getaddrinfo tries, in its order. */
  private static final List<String> SERVICE_PROTOS =
      List.of("tcp", "udp", "dccp", "udplite", "sctp");

  /**
   * xtables_getportbyname as glibc's getaddrinfo sees a service: a decimal number (leading blanks
   * and a sign allowed, truncated to 16 bits, refused when negative as an int), or a service name
   * of tcp, udp, dccp, udplite or sctp. -1 when it resolves to nothing.
   */
  public static int port(String name, Lookups lookups) {
    CNumbers.Parsed p = CNumbers.strtoull(name, 0, 10);
    if (p.end() == name.length()) {
      int n = (int) p.value();
      return n < 0 ? -1 : n & 0xffff;
    }
    for (String proto : SERVICE_PROTOS) {
      OptionalInt port = lookups.service(name, proto);
      if (port.isPresent()) {
        return port.getAsInt();
      }
    }
    return -1;
  }

  /**
   * xtables_parse_port: a number 0-65535 (base 0, as strtoul) or a service name of {@code proto}
   * (getservbyname).
   */
  public static int servicePort(String port, String proto, Lookups lookups) throws RuleException {
    Long n = CNumbers.xtStrtoulStrict(port, 0, 0xffff);
    if (n != null) {
      return n.intValue();
    }
    OptionalInt p = lookups.service(port, proto);
    if (p.isPresent()) {
      return p.getAsInt();
    }
    throw RuleException.parameter("invalid port/service `" + port + "' specified");
  }

  /** xtables_parse_protocol: a number 0-255, a built-in name, or a name in /etc/protocols. */
  public static int protocol(String s, Lookups lookups) throws RuleException {
    Long n = CNumbers.xtStrtoulStrict(s, 0, 0xff);
    if (n != null) {
      return n.intValue();
    }
    int i = CHAIN_PROTO_NAMES.indexOf(s);
    if (i >= 0) {
      return CHAIN_PROTO_NUMBERS[i];
    }
    OptionalInt p = lookups.protocol(s);
    if (p.isPresent()) {
      return p.getAsInt();
    }
    throw RuleException.parameter("unknown protocol \"" + s + "\" specified");
  }

  /**
   * proto_to_name: the built-in name of a protocol number, else /etc/protocols' unless {@code
   * nolookup}; null when it has none.
   */
  public static String protocolName(int proto, boolean nolookup, Lookups lookups) {
    for (int i = 0; i < CHAIN_PROTO_NUMBERS.length; i++) {
      if (CHAIN_PROTO_NUMBERS[i] == proto) {
        return CHAIN_PROTO_NAMES.get(i);
      }
    }
    if (proto != 0 && !nolookup) {
      return lookups.protocolName(proto).orElse(null);
    }
    return null;
  }

  /**
   * inet_aton, as getaddrinfo(AF_INET) reads a numeric host: one to four parts, each decimal, octal
   * or hex, the last filling the remaining bytes. Null when not numeric.
   */
  public static byte[] numericAddress(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length > 4 || s.isEmpty()) {
      return null;
    }
    long[] v = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String t = parts[i];
      if (t.isEmpty() || !Character.isDigit(t.charAt(0))) {
        return null;
      }
      CNumbers.Parsed p = CNumbers.strtoull(t, 0, 0);
      if (p.end() != t.length()
          || p.overflow()
          || Long.compareUnsigned(p.value(), 0xffffffffL) > 0) {
        return null;
      }
      v[i] = p.value();
    }
    long addr = 0;
    int n = v.length;
    for (int i = 0; i < n - 1; i++) {
      if (v[i] > 0xff) {
        return null;
      }
      addr |= v[i] << (24 - 8 * i);
    }
    long lastMax = n == 1 ? 0xffffffffL : (1L << (8 * (5 - n))) - 1;
    if (v[n - 1] > lastMax) {
      return null;
    }
    addr |= v[n - 1];
    return new byte[] {
      (byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr
    };
  }

  /**
   * xtables_numeric_to_ipaddr: dotted decimal/octal/hex bytes, a short form filling the rest with
   * zeros ("10" is 10.0.0.0); null when not numeric. Only the first 19 characters count.
   */
  public static byte[] dottedAddress(String s) {
    String t = s.length() > 19 ? s.substring(0, 19) : s;
    byte[] a = new byte[4];
    String[] parts = t.split("\\.", -1);
    if (parts.length > 4) {
      parts = Arrays.copyOf(parts, 4);
      parts[3] = t.substring(nthDot(t, 3) + 1);
    }
    for (int i = 0; i < parts.length; i++) {
      Long v = CNumbers.xtStrtoulStrict(parts[i], 0, 255);
      if (v == null) {
        return null;
      }
      a[i] = v.byteValue();
    }
    return a;
  }

  private static int nthDot(String s, int n) {
    int at = -1;
    for (int i = 0; i < n; i++) {
      at = s.indexOf('.', at + 1);
    }
    return at;
  }

  /**
   * xtables_parse_interface: the name into a 16-byte field and its mask into another; "eth+" masks
   * only "eth", a plain name masks its NUL too.
   */
  public static void parseInterface(String arg, ByteBuffer b, int nameAt, int maskAt)
      throws RuleException {
    byte[] name = arg.getBytes(StandardCharsets.UTF_8);
    if (name.length + 1 > 16) {
      throw RuleException.parameter(
          "interface name `" + arg + "' must be shorter than IFNAMSIZ (15)");
    }
    b.put(nameAt, new byte[16]).put(maskAt, new byte[16]).put(nameAt, name);
    if (name.length == 0) {
      return;
    }
    int n = name[name.length - 1] == '+' ? name.length - 1 : name.length + 1;
    for (int i = 0; i < n; i++) {
      b.put(maskAt + i, (byte) -1);
    }
  }

  /** The network-order mask of a prefix length 0-32. */
  public static byte[] prefixMask(int len) {
    int m = len <= 0 ? 0 : -1 << (32 - Math.min(len, 32));
    return new byte[] {(byte) (m >>> 24), (byte) (m >>> 16), (byte) (m >>> 8), (byte) m};
  }
}

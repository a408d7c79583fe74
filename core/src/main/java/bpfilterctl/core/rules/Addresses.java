package bpfilterctl.core.rules;

import bpfilterctl.core.rules.ext.CNumbers;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 addresses as iptables reads and writes them (libxtables' ipparse_multiple,
 * numeric_to_ipaddr, ipmask_to_numeric). Addresses and masks are host-order ints, as in {@link
 * bpfilterctl.core.abi.IptIp}.
 */
public final class Addresses {
  /** One address with its mask. */
  public record Net(int addr, int mask) {}

  private Addresses() {}

  /**
   * xtables_ipparse_multiple: "a[/m],b[/m]..." where a is dotted (or a host name) and m a prefix
   * length or a dotted mask; each address is masked.
   */
  public static List<Net> parseMultiple(String text) throws RuleException {
    List<Net> out = new ArrayList<>();
    for (String part : text.split(",", -1)) {
      String p = part.stripLeading();
      if (p.length() > 255) {
        throw RuleException.parameter("Hostname too long");
      }
      int slash = p.lastIndexOf('/');
      String host = slash < 0 ? p : p.substring(0, slash);
      int mask = slash < 0 ? -1 : parseMask(p.substring(slash + 1));
      if (mask == 0) {
        host = "0.0.0.0";
      }
      for (int a : hostOrNetwork(host)) {
        out.add(new Net(a & mask, mask));
      }
    }
    return out;
  }

  /** parse_ipmask: a dotted mask or a prefix length 0..32. */
  static int parseMask(String text) throws RuleException {
    Integer dotted = dotted(text, true);
    if (dotted != null) {
      return dotted;
    }
    Long bits = CNumbers.xtStrtoulStrict(text, 0, 32);
    if (bits == null) {
      throw RuleException.parameter("invalid mask `" + text + "' specified");
    }
    return bits == 0 ? 0 : (int) (0xFFFFFFFFL << (32 - bits));
  }

  private static List<Integer> hostOrNetwork(String host) throws RuleException {
    Integer a = dotted(host, false);
    if (a != null) {
      return List.of(a);
    }
    try {
      List<Integer> all = new ArrayList<>();
      for (InetAddress i : InetAddress.getAllByName(host)) {
        if (i instanceof Inet4Address) {
          byte[] b = i.getAddress();
          all.add((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff));
        }
      }
      if (!all.isEmpty() && !host.isEmpty()) {
        return all;
      }
    } catch (UnknownHostException | SecurityException e) {
      // not found: the same message as for an empty answer
    }
    throw RuleException.parameter("host/network `" + host + "' not found");
  }

  /**
   * __numeric_to_ipaddr: up to four numbers (strtoul base 0, 0..255) separated by dots; an address
   * with fewer parts is completed with zeros ("10" is 10.0.0.0), a mask is not.
   */
  static Integer dotted(String text, boolean isMask) {
    String s = text.length() > 19 ? text.substring(0, 19) : text;
    String[] parts = s.split("\\.", -1);
    if (parts.length > 4 || (isMask && parts.length != 4)) {
      return null;
    }
    int v = 0;
    for (int i = 0; i < 4; i++) {
      Long b = i < parts.length ? CNumbers.xtStrtoulStrict(parts[i], 0, 255) : Long.valueOf(0);
      if (b == null) {
        return null;
      }
      v = (v << 8) | b.intValue();
    }
    return v;
  }

  public static String numeric(int addr) {
    return ((addr >>> 24) & 0xff)
        + "."
        + ((addr >>> 16) & 0xff)
        + "."
        + ((addr >>> 8) & 0xff)
        + "."
        + (addr & 0xff);
  }

  /** xtables_ipmask_to_cidr: the prefix length, or -1 for a mask that is not contiguous. */
  public static int cidr(int mask) {
    long bits = 0xFFFFFFFFL;
    for (int i = 32; i >= 0; i--, bits = (bits << 1) & 0xFFFFFFFFL) {
      if (bits == (mask & 0xFFFFFFFFL)) {
        return i;
      }
    }
    return -1;
  }

  /** xtables_ipmask_to_numeric: "" for /32, "/N", or "/a.b.c.d". */
  public static String maskSuffix(int mask) {
    int c = cidr(mask);
    if (c == -1) {
      return "/" + numeric(mask);
    }
    return c == 32 ? "" : "/" + c;
  }

  /** save_ipv4_addr's mask_to_str: "32", "N" or the dotted mask. */
  public static String maskToString(int mask) {
    int c = cidr(mask);
    return c == -1 ? numeric(mask) : Integer.toString(c);
  }
}

package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.ext.CNumbers;
import bpfilterctl.core.iptables.ext.Libxtables;
import bpfilterctl.core.iptables.ext.XtPrint;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * IPv4 addresses as iptables reads them on its command line (libxtables' ipparse_multiple and
 * parse_ipmask; printing them is {@link XtPrint}'s). Addresses and masks are host-order ints, as in
 * {@link bpfilterctl.core.uapi.IptIp}.
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
   * __numeric_to_ipaddr: xtables_numeric_to_ipaddr, or for a mask all four parts (a short form is
   * not a mask); null when not numeric.
   */
  static Integer dotted(String text, boolean isMask) {
    if (isMask && text.split("\\.", -1).length != 4) {
      return null;
    }
    byte[] a = Libxtables.dottedAddress(text);
    return a == null ? null : (int) XtPrint.ip(a);
  }
}

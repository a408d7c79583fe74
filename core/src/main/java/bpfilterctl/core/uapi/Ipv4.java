package bpfilterctl.core.uapi;

/**
 * An IPv4 address or mask held as a host-order int (10.0.0.1 is 0x0a000001) as text: the one
 * dotted-quad printer and the one mask-to-prefix rule of the project.
 */
public final class Ipv4 {
  private Ipv4() {}

  /** inet_ntoa: the dotted quad, most significant byte first. */
  public static String dotted(int hostOrder) {
    return (hostOrder >>> 24)
        + "."
        + ((hostOrder >>> 16) & 0xff)
        + "."
        + ((hostOrder >>> 8) & 0xff)
        + "."
        + (hostOrder & 0xff);
  }

  /**
   * xtables_ipmask_to_cidr: the prefix length (0..32) of a mask whose ones run from the top, -1 for
   * a mask with holes (which iptables prints dotted).
   */
  public static int prefixLength(int mask) {
    int bits = Integer.bitCount(mask);
    return mask == (bits == 0 ? 0 : -1 << (32 - bits)) ? bits : -1;
  }
}

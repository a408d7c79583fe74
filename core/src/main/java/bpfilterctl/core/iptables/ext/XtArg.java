package bpfilterctl.core.iptables.ext;

/**
 * One parsed option occurrence, libxtables' struct xt_option_call: the option, its argument as
 * typed, whether "!" preceded it, and the value the option's type yields.
 *
 * <ul>
 *   <li>integers, PORT, PROTOCOL, SYSLOGLEVEL, PLEN: {@code vals[0]};
 *   <li>ranges (UINT*RC, PORTRC): {@code vals[0..nvals-1]}, an absent upper bound filled with the
 *       type's maximum as libxtables does;
 *   <li>MARKMASK32 and TOSMASK: {@code vals[0]} value, {@code vals[1]} mask;
 *   <li>DOUBLE: {@code dbl};
 *   <li>STRING: {@code arg} itself;
 *   <li>HOST, HOSTMASK, PLENMASK: {@code addr} and {@code mask}, 4 bytes each in network order;
 *   <li>ETHERMAC: {@code addr}, 6 bytes.
 * </ul>
 */
public record XtArg(
    XtOption option,
    String arg,
    boolean invert,
    int nvals,
    long[] vals,
    double dbl,
    byte[] addr,
    byte[] mask) {
  public XtArg {
    vals = vals == null ? new long[0] : vals.clone();
    addr = addr == null ? new byte[0] : addr.clone();
    mask = mask == null ? new byte[0] : mask.clone();
  }

  public int id() {
    return option.id();
  }

  public long val() {
    return vals.length == 0 ? 0 : vals[0];
  }

  public long val(int i) {
    return vals[i];
  }

  @Override
  public long[] vals() {
    return vals.clone();
  }

  @Override
  public byte[] addr() {
    return addr.clone();
  }

  @Override
  public byte[] mask() {
    return mask.clone();
  }

  /** {@code addr} as libxtables' union nf_inet_addr holds it: 16 bytes, IPv4 in the first 4. */
  public byte[] inetAddr() {
    return java.util.Arrays.copyOf(addr, 16);
  }

  /**
   * {@code mask} as libxtables' union nf_inet_addr holds it: a plain host sets all 16 bytes, as
   * does a mask that is no prefix (its length is 255); a prefix fills only the first 4.
   */
  public byte[] inetMask() {
    boolean plainHost =
        option.type() == XtOptionType.HOST
            || (option.type() == XtOptionType.HOSTMASK && arg != null && arg.indexOf('/') < 0)
            || (vals.length > 0 && vals[0] > 128);
    if (plainHost) {
      byte[] all = new byte[16];
      java.util.Arrays.fill(all, (byte) -1);
      return all;
    }
    return java.util.Arrays.copyOf(mask, 16);
  }

  /** A plain argument (STRING/NONE and for extensions that parse the text themselves). */
  public static XtArg text(XtOption option, String arg, boolean invert) {
    return new XtArg(option, arg, invert, 0, null, 0, null, null);
  }
}

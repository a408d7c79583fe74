package bpfilterctl.core.rules.ext;

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

  /** A plain argument (STRING/NONE and for extensions that parse the text themselves). */
  public static XtArg text(XtOption option, String arg, boolean invert) {
    return new XtArg(option, arg, invert, 0, null, 0, null, null);
  }
}

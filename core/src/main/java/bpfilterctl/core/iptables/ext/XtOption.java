package bpfilterctl.core.iptables.ext;

/**
 * One option of an extension, libxtables' struct xt_option_entry without the pointer part: the
 * extension writes its struct itself in {@link XtExtension#parse}. {@code id} is a bit number
 * (0..31) in the rule's seen-set; {@code excl} and {@code also} are bitmasks of ids.
 *
 * @param name the long option without "--"
 * @param min for integers the lower bound (0: the type's), for strings the minimum length
 * @param max for integers the upper bound (0: the type's), for strings the maximum length
 * @param size for strings the size of the field it goes to (longer arguments are cut to size-1)
 */
public record XtOption(
    String name,
    XtOptionType type,
    int id,
    int excl,
    int also,
    int flags,
    long min,
    long max,
    int size) {
  public static final int INVERT = 1;
  public static final int MAND = 1 << 1;
  public static final int MULTI = 1 << 2;

  /** XTOPT_NBO: ports and similar are stored in network byte order. */
  public static final int NBO = 1 << 4;

  /**
   * The option also takes the word after its argument, when there is one that starts with neither
   * '-' nor '!' (tcp's "--tcp-flags mask comp", set's "--match-set name flags"): the front-end then
   * joins the two with a NUL (argv words hold none) in {@link XtArg#arg()}. Only for extensions
   * that check the words themselves.
   */
  public static final int NEXT_WORD = 1 << 5;

  public static XtOption of(String name, XtOptionType type, int id, int flags) {
    return new XtOption(name, type, id, 0, 0, flags, 0, 0, 0);
  }

  /** An option with an argument, optional and not invertible. */
  public static XtOption of(String name, XtOptionType type, int id) {
    return of(name, type, id, 0);
  }

  /** An option that takes no argument and cannot be inverted. */
  public static XtOption flag(String name, int id) {
    return of(name, XtOptionType.NONE, id, 0);
  }

  /** An option with an argument that every rule using the extension must give (XTOPT_MAND). */
  public static XtOption mandatory(String name, XtOptionType type, int id) {
    return of(name, type, id, MAND);
  }

  /** The seen-set bits of some option ids, for {@link #withExcl}, {@link #withAlso} and checks. */
  public static int mask(int... ids) {
    int m = 0;
    for (int id : ids) {
      m |= 1 << id;
    }
    return m;
  }

  public XtOption withExcl(int mask) {
    return new XtOption(name, type, id, mask, also, flags, min, max, size);
  }

  public XtOption withAlso(int mask) {
    return new XtOption(name, type, id, excl, mask, flags, min, max, size);
  }

  public XtOption withRange(long lo, long hi) {
    return new XtOption(name, type, id, excl, also, flags, lo, hi, size);
  }

  public XtOption withSize(int bytes) {
    return new XtOption(name, type, id, excl, also, flags, min, max, bytes);
  }

  public boolean invertible() {
    return (flags & INVERT) != 0;
  }

  public boolean takesArgument() {
    return type != XtOptionType.NONE;
  }
}

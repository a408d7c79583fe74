package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * libxtables' generic option handling (xtoptions.c) for IPv4: the once/invert/argument checks
 * before an option reaches its extension, the typed parsing of its argument into an {@link XtArg}
 * with iptables' messages, and the final must/also/excl checks.
 *
 * <p>The front-end calls {@link #parse} for every option occurrence of an extension and {@link
 * #finish} after the last one. Extensions with iptables' old parse API (tcp, set, ...) declare
 * their options {@link XtOption#MULTI} | {@link XtOption#INVERT} of type STRING, so no generic
 * check fires and they check everything themselves.
 *
 * <p>Values in {@link XtArg#vals()} are in host order even for {@link XtOption#NBO} options: the
 * extension writes its struct itself and puts them big-endian.
 */
public final class XtOptionParser {
  private XtOptionParser() {}

  /** The syslog level names libxtables knows, with "error" and "panic" as deprecated aliases. */
  private static final List<String> SYSLOG_NAMES =
      List.of("alert", "crit", "debug", "emerg", "error", "info", "notice", "panic", "warning");

  private static final int[] SYSLOG_LEVELS = {1, 2, 7, 0, 3, 6, 5, 0, 4};

  /** IPTOS_* names the TOSMASK type accepts, case-insensitively. */
  private static final List<String> TOS_NAMES =
      List.of(
          "Minimize-Delay",
          "Maximize-Throughput",
          "Maximize-Reliability",
          "Minimize-Cost",
          "Normal-Service");

  private static final int[] TOS_VALUES = {0x10, 0x08, 0x04, 0x02, 0x00};

  /**
   * One occurrence of an option of {@code ext}: the generic checks, the typed value, the seen bit,
   * then the extension's own parse (libxtables' xtables_option_mpcall/tpcall with an x6_parse that
   * starts with xtables_option_parse).
   */
  public static void parse(XtExtension ext, XtOption option, String arg, boolean invert, ExtData d)
      throws RuleException {
    // getopt hands libxtables an option's id, and xtables_option_lookup takes the first entry with
    // that id: an alias (dccp's --sport) parses and complains as its first name (--source-port).
    for (XtOption o : ext.options()) {
      if (o.id() == option.id()) {
        option = o;
        break;
      }
    }
    XtArg value = value(ext.name(), option, arg, invert, d.seen(), d.lookups());
    d.markSeen(option.id());
    ext.parse(value, d);
  }

  /**
   * After the last option of {@code ext}: its own final check, then the generic must/also/excl
   * checks (libxtables' xtables_option_mfcall/tfcall).
   */
  public static void finish(XtExtension ext, ExtData d) throws RuleException {
    ext.finalCheck(d);
    check(ext.name(), ext.options(), d.seen());
  }

  /** xtables_options_fcheck: mandatory options, "also requires" and "cannot be used together". */
  public static void check(String extName, List<XtOption> options, int seen) throws RuleException {
    for (XtOption entry : options) {
      int ef = 1 << entry.id();
      if ((entry.flags() & XtOption.MAND) != 0 && (seen & ef) == 0) {
        throw RuleException.parameter(
            extName + ": option \"--" + entry.name() + "\" must be specified\n");
      }
      if ((seen & ef) == 0) {
        continue;
      }
      for (int i = 0; i < 32; i++) {
        if (i == entry.id()) {
          continue;
        }
        XtOption other = byId(options, i);
        if (other == null) {
          continue;
        }
        int of = 1 << i;
        if ((entry.also() & of) != 0 && (seen & of) == 0) {
          throw RuleException.parameter(
              extName
                  + ": option \"--"
                  + entry.name()
                  + "\" also requires \"--"
                  + other.name()
                  + "\".\n");
        }
        if ((entry.excl() & of) != 0 && (seen & (ef | of)) == (ef | of)) {
          throw RuleException.parameter(
              extName
                  + ": option \"--"
                  + entry.name()
                  + "\" cannot be used together with \"--"
                  + other.name()
                  + "\".\n");
        }
      }
    }
  }

  private static XtOption byId(List<XtOption> options, int id) {
    for (XtOption o : options) {
      if (o.id() == id) {
        return o;
      }
    }
    return null;
  }

  /**
   * xtables_option_parse without the store: checks the occurrence against what was seen and parses
   * the argument by the option's type.
   *
   * @param extName the name messages start with (the name given after -m/-j)
   * @param seen the option ids seen before this occurrence
   */
  public static XtArg value(
      String extName, XtOption o, String arg, boolean invert, int seen, Lookups lookups)
      throws RuleException {
    int eflag = 1 << o.id();
    if (((o.flags() & XtOption.MULTI) == 0 || (o.excl() & eflag) != 0) && (seen & eflag) != 0) {
      throw RuleException.parameter(
          extName + ": option \"--" + o.name() + "\" can only be used once.\n");
    }
    if (invert && !o.invertible()) {
      throw RuleException.parameter(
          extName + ": option \"--" + o.name() + "\" cannot be inverted.\n");
    }
    if (o.takesArgument() && arg == null) {
      throw RuleException.parameter(
          extName + ": option \"--" + o.name() + "\" requires an argument.\n");
    }
    return new Typed(extName, o, arg, invert, lookups).parse();
  }

  /** The type-specific parsers, sharing the occurrence's context for their messages. */
  private record Typed(String ext, XtOption o, String arg, boolean invert, Lookups lookups) {
    XtArg parse() throws RuleException {
      return switch (o.type()) {
        case NONE -> result(1, null, 0, null, null);
        case UINT8, UINT16, UINT32, UINT64 -> integer();
        case UINT8RC, UINT16RC, UINT32RC, UINT64RC -> multiInteger();
        case DOUBLE -> floating();
        case STRING -> string();
        case TOSMASK -> tosMask();
        case MARKMASK32 -> markMask();
        case SYSLOGLEVEL -> syslogLevel();
        case HOST -> host(arg);
        case HOSTMASK -> hostMask();
        case PROTOCOL -> result(1, new long[] {Libxtables.protocol(arg, lookups)}, 0, null, null);
        case PORT -> port();
        case PORTRC -> portRange();
        case PLEN -> plen(arg);
        case PLENMASK -> plenMask(arg);
        case ETHERMAC -> etherMac();
      };
    }

    private XtArg result(int nvals, long[] vals, double dbl, byte[] addr, byte[] mask) {
      return new XtArg(o, arg, invert, nvals, vals, dbl, addr, mask);
    }

    private long typeMax() {
      return switch (o.type()) {
        case UINT8, UINT8RC -> 0xffL;
        case UINT16, UINT16RC -> 0xffffL;
        case UINT32, UINT32RC -> 0xffffffffL;
        case UINT64, UINT64RC -> -1L;
        default -> 0;
      };
    }

    private int elementSize() {
      return switch (o.type()) {
        case UINT8RC -> 1;
        case UINT16RC, PORTRC -> 2;
        case UINT32RC -> 4;
        default -> 8;
      };
    }

    private RuleException bad(String detail) {
      return RuleException.parameter(
          ext + ": bad value for option \"--" + o.name() + "\"" + detail);
    }

    private XtArg integer() throws RuleException {
      long lmin = o.min() != 0 ? o.min() : 0;
      long lmax = o.max() != 0 ? o.max() : typeMax();
      Long v = CNumbers.xtStrtoulStrict(arg, lmin, lmax);
      if (v == null) {
        throw bad(
            ", or out of range ("
                + Long.toUnsignedString(lmin)
                + "-"
                + Long.toUnsignedString(lmax)
                + ").\n");
      }
      return result(1, new long[] {v}, 0, null, null);
    }

    private int maxComponents() throws RuleException {
      int esize = elementSize();
      if (o.size() % esize != 0) {
        throw RuleException.other(
            (o.type() == XtOptionType.PORTRC ? "xtopt_parse_mport" : "xtopt_parse_mint")
                + ": memory block does not have proper size\n");
      }
      int n = o.size() / esize;
      return n == 0 ? 2 : n;
    }

    private RuleException tooMany(int max) {
      return RuleException.parameter(
          ext + ": Too many components for option \"--" + o.name() + "\" (max: " + max + ")\n");
    }

    /** "a:b" ranges (xtopt_parse_mint): an empty upper component is the type's maximum. */
    private XtArg multiInteger() throws RuleException {
      long lmax = typeMax();
      int maxiter = maxComponents();
      long[] vals = new long[maxiter];
      int nvals = 0;
      int at = 0;
      while (true) {
        if (nvals == maxiter) {
          throw tooMany(maxiter);
        }
        long value;
        int end;
        if (at == arg.length() || arg.charAt(at) == ':') {
          end = at;
          value = nvals == 1 ? lmax : 0;
        } else {
          CNumbers.Parsed p = CNumbers.xtStrtoul(arg, at, 0, lmax);
          if (p == null) {
            throw bad(
                " near \""
                    + arg.substring(at)
                    + "\", or out of range (0-"
                    + Long.toUnsignedString(lmax)
                    + ").\n");
          }
          end = p.end();
          if (end != arg.length() && arg.charAt(end) != ':') {
            throw RuleException.parameter(
                ext
                    + ": Argument to \"--"
                    + o.name()
                    + "\" has unexpected characters near \""
                    + arg.substring(end)
                    + "\".\n");
          }
          value = p.value();
        }
        vals[nvals++] = value;
        if (end == arg.length()) {
          break;
        }
        at = end + 1;
      }
      return result(nvals, java.util.Arrays.copyOf(vals, nvals), 0, null, null);
    }

    private XtArg floating() throws RuleException {
      Double value = CNumbers.strtod(arg);
      if (value == null || (o.min() != o.max() && (value < o.min() || value > o.max()))) {
        throw bad(", or out of range (" + o.min() + "-" + o.max() + ").\n");
      }
      return result(1, null, value, null, null);
    }

    private XtArg string() throws RuleException {
      int z = arg.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (o.min() != 0 && z < o.min()) {
        throw RuleException.parameter(
            "Argument must have a minimum length of " + o.min() + " characters\n");
      }
      if (o.max() != 0 && z > o.max()) {
        throw RuleException.parameter(
            "Argument must have a maximum length of " + o.max() + " characters\n");
      }
      return result(1, null, 0, null, null);
    }

    private XtArg tosMask() throws RuleException {
      if (CNumbers.xtStrtoul(arg, 0, 0, 0xff) != null) {
        CNumbers.Parsed p = CNumbers.xtStrtoul(arg, 0, 0, 0xff);
        long value = p.value();
        long mask = 0xff;
        int end = p.end();
        if (end < arg.length() && arg.charAt(end) == '/') {
          CNumbers.Parsed m = CNumbers.xtStrtoul(arg, end + 1, 0, 0xff);
          if (m == null) {
            throw RuleException.parameter("Illegal value: \"" + arg + "\"");
          }
          mask = m.value();
          end = m.end();
        }
        if (end != arg.length()) {
          throw RuleException.parameter("Illegal value: \"" + arg + "\"");
        }
        return result(1, new long[] {value, mask}, 0, null, null);
      }
      // A symbolic name takes the option's max as its mask: revisions differ in that default.
      for (int i = 0; i < TOS_NAMES.size(); i++) {
        if (TOS_NAMES.get(i).equalsIgnoreCase(arg)) {
          return result(1, new long[] {TOS_VALUES[i], o.max()}, 0, null, null);
        }
      }
      throw RuleException.parameter("Symbolic name \"" + arg + "\" is unknown");
    }

    /** xtables_parse_mark_mask: "value[/mask]", 32 bits each, mask defaulting to all ones. */
    private XtArg markMask() throws RuleException {
      RuleException badInt =
          RuleException.parameter(
              ext + ": bad integer value for option \"--" + o.name() + "\", or out of range.\n");
      CNumbers.Parsed v = CNumbers.xtStrtoul(arg, 0, 0, 0xffffffffL);
      if (v == null) {
        throw badInt;
      }
      long mask = 0xffffffffL;
      if (v.end() != arg.length()) {
        if (arg.charAt(v.end()) != '/') {
          throw RuleException.parameter(
              ext + ": trailing garbage after value for option \"--" + o.name() + "\".");
        }
        CNumbers.Parsed m = CNumbers.xtStrtoul(arg, v.end() + 1, 0, 0xffffffffL);
        if (m == null) {
          throw badInt;
        }
        if (m.end() != arg.length()) {
          throw RuleException.parameter(
              ext + ": trailing garbage after value for option \"--" + o.name() + "\".");
        }
        mask = m.value();
      }
      return result(1, new long[] {v.value(), mask}, 0, null, null);
    }

    private XtArg syslogLevel() throws RuleException {
      Long n = CNumbers.xtStrtoulStrict(arg, 0, 7);
      if (n == null) {
        int i = SYSLOG_NAMES.indexOf(arg);
        if (i < 0) {
          throw RuleException.parameter("log level \"" + arg + "\" unknown\n");
        }
        n = (long) SYSLOG_LEVELS[i];
      }
      return result(1, new long[] {n}, 0, null, null);
    }

    /** A single address or a name resolving to one; vals[0] is the prefix length 32. */
    private XtArg host(String text) throws RuleException {
      byte[] addr = resolveHost(text);
      return result(1, new long[] {32}, 0, addr, new byte[] {-1, -1, -1, -1});
    }

    private XtArg hostMask() throws RuleException {
      int slash = arg.indexOf('/');
      if (slash < 0) {
        return host(arg);
      }
      byte[] addr = resolveHost(arg.substring(0, slash));
      XtArg m = plenMask(arg.substring(slash + 1));
      return result(1, new long[] {m.val()}, 0, addr, m.mask());
    }

    private XtArg port() throws RuleException {
      int p = serviceOrNumber(arg);
      if (p < 0) {
        throw RuleException.parameter("Port \"" + arg + "\" does not resolve to anything.\n");
      }
      return result(1, new long[] {p}, 0, null, null);
    }

    /** "a:b" port ranges (xtopt_parse_mport): a single port is the range a:a. */
    private XtArg portRange() throws RuleException {
      int maxiter = maxComponents();
      long[] range = {0, 0xffff};
      int nvals = 0;
      // strsep keeps empty fields: "a:" has two, ":" has two.
      String[] parts = arg.split(":", -1);
      for (String part : parts) {
        if (nvals == maxiter) {
          throw tooMany(maxiter);
        }
        if (part.isEmpty()) {
          nvals++;
          continue;
        }
        int value = serviceOrNumber(part);
        if (value < 0) {
          throw RuleException.parameter("Port \"" + part + "\" does not resolve to anything.\n");
        }
        if (nvals < 2) {
          range[nvals] = value;
        }
        nvals++;
      }
      if (nvals == 1) {
        range[1] = range[0];
        nvals = 2;
      }
      return result(nvals, range, 0, null, null);
    }

    /** A prefix length 0-32 or a dotted mask; vals[0] the length, mask left as given. */
    private XtArg plen(String text) throws RuleException {
      Long n = CNumbers.xtStrtoulStrict(text, 0, 32);
      if (n != null) {
        return new XtArg(
            o, arg, invert, 1, new long[] {n}, 0, null, Libxtables.prefixMask(n.intValue()));
      }
      byte[] mask = Libxtables.numericAddress(text);
      if (mask == null) {
        throw RuleException.parameter(
            ext
                + ": bad value for option \"--"
                + o.name()
                + "\", neither a valid network mask nor valid CIDR (0-32).");
      }
      int m = toInt(mask);
      int len = -1;
      for (int i = 32; i >= 0; i--) {
        if ((i == 0 ? 0 : -1 << (32 - i)) == m) {
          len = i;
          break;
        }
      }
      // hlen is a uint8_t: a mask that is not a prefix becomes 255.
      return new XtArg(o, arg, invert, 1, new long[] {len & 0xff}, 0, null, mask);
    }

    private XtArg plenMask(String text) throws RuleException {
      XtArg p = plen(text);
      int len = (int) p.val();
      byte[] mask = len > 32 ? new byte[] {-1, -1, -1, -1} : Libxtables.prefixMask(len);
      return new XtArg(o, arg, invert, 1, new long[] {len}, 0, null, mask);
    }

    private XtArg etherMac() throws RuleException {
      byte[] mac = new byte[6];
      int at = 0;
      for (int i = 0; i < 6; i++) {
        CNumbers.Parsed p = CNumbers.strtoull(arg, at, 16);
        int end = p.end();
        char want = i < 5 ? ':' : '\0';
        char got = end < arg.length() ? arg.charAt(end) : '\0';
        if (got != want || end - at > 2) {
          throw RuleException.parameter("Invalid MAC address specified.");
        }
        mac[i] = (byte) p.value();
        at = end + 1;
      }
      return result(1, null, 0, mac, null);
    }

    private byte[] resolveHost(String text) throws RuleException {
      byte[] a = Libxtables.numericAddress(text);
      if (a != null) {
        return a;
      }
      try {
        byte[] first = null;
        for (InetAddress ia : InetAddress.getAllByName(text)) {
          if (ia instanceof Inet4Address) {
            if (first == null) {
              first = ia.getAddress();
            } else if (!java.util.Arrays.equals(first, ia.getAddress())) {
              throw RuleException.parameter(text + " resolves to more than one address\n");
            }
          }
        }
        if (first != null) {
          return first;
        }
      } catch (UnknownHostException e) {
        // as getaddrinfo's EAI_NONAME below
      }
      throw RuleException.parameter("getaddrinfo: Name or service not known\n");
    }

    private int serviceOrNumber(String name) {
      return Libxtables.port(name, lookups);
    }
  }

  private static int toInt(byte[] b) {
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }
}

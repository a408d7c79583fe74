package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.getBe16;
import static bpfilterctl.core.iptables.ext.XtText.getBe32;
import static bpfilterctl.core.iptables.ext.XtText.putBe16;
import static bpfilterctl.core.iptables.ext.XtText.putBe32;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.Ipv4;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalInt;

/**
 * The NAT targets of libxt_NAT and libipt_NETMAP for IPv4: SNAT, MASQUERADE and REDIRECT in the
 * one-range compat struct (revision 0), DNAT in it and in nf_nat_range2 (revision 2, which adds the
 * shifted port base), NETMAP.
 */
final class NatTargetCodecs {
  private NatTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(
          new CompatNat(Kind.SNAT),
          new CompatNat(Kind.DNAT),
          new Dnat2(),
          new CompatNat(Kind.MASQUERADE),
          new CompatNat(Kind.REDIRECT),
          new Netmap());

  static final int MAP_IPS = 1;
  static final int PROTO_SPECIFIED = 1 << 1;
  static final int PROTO_RANDOM = 1 << 2;
  static final int PERSISTENT = 1 << 3;
  static final int PROTO_RANDOM_FULLY = 1 << 4;
  static final int PROTO_OFFSET = 1 << 5;

  private static final int O_TO_DEST = 0;
  private static final int O_TO_SRC = 1;
  private static final int O_TO_PORTS = 2;
  private static final int O_RANDOM = 3;
  private static final int O_RANDOM_FULLY = 4;
  private static final int O_PERSISTENT = 5;

  /** struct nf_nat_ipv4_multi_range_compat: rangesize, then one nf_nat_ipv4_range. */
  private static final int COMPAT_SIZE = 20;

  /** struct nf_nat_range2: flags, min/max addr (16 bytes each), min/max/base proto. */
  private static final int RANGE2_SIZE = 44;

  /** The targets that share the compat struct, with their options and texts. */
  enum Kind {
    SNAT("to:", "--to-source ", false),
    DNAT("to:", "--to-destination ", false),
    MASQUERADE("masq ports: ", "--to-ports ", true),
    REDIRECT("redir ports ", "--to-ports ", true);

    final String printOpt;
    final String saveOpt;
    final boolean skipColon;

    Kind(String printOpt, String saveOpt, boolean skipColon) {
      this.printOpt = printOpt;
      this.saveOpt = saveOpt;
      this.skipColon = skipColon;
    }

    List<XtOption> options() {
      XtOption random = XtOption.flag("random", O_RANDOM);
      XtOption fully = XtOption.flag("random-fully", O_RANDOM_FULLY);
      XtOption persistent = XtOption.flag("persistent", O_PERSISTENT);
      XtOption ports = XtOption.of("to-ports", XtOptionType.STRING, O_TO_PORTS);
      return switch (this) {
        case SNAT ->
            List.of(
                XtOption.mandatory("to-source", XtOptionType.STRING, O_TO_SRC),
                random,
                fully,
                persistent);
        case DNAT -> dnatOptions();
        case MASQUERADE -> List.of(ports, random, fully);
        case REDIRECT -> List.of(ports, random);
      };
    }
  }

  private static List<XtOption> dnatOptions() {
    return List.of(
        XtOption.mandatory("to-destination", XtOptionType.STRING, O_TO_DEST),
        XtOption.flag("random", O_RANDOM),
        XtOption.flag("persistent", O_PERSISTENT));
  }

  /** nf_nat_range2 for IPv4, host-order values. */
  static final class Range {
    int flags;
    int minIp;
    int maxIp;
    int minPort;
    int maxPort;
    int basePort;
  }

  /** parse_ports: "port", "port-port" or "port-port/base"; service names for port and base. */
  static void parsePorts(String arg, boolean portOk, ExtData d, Range r) throws RuleException {
    if (!portOk) {
      throw RuleException.parameter("Need TCP, UDP, SCTP or DCCP with port specification");
    }
    r.flags |= PROTO_SPECIFIED;
    int port;
    int end;
    CNumbers.Parsed c = CNumbers.xtStrtoul(arg, 0, 0, 0xffff);
    if (c != null) {
      port = (int) c.value();
      end = c.end();
    } else {
      OptionalInt s = XtText.serviceAnyProto(d.lookups(), arg);
      if (s.isEmpty()) {
        throw RuleException.parameter("Port `" + arg + "' not valid");
      }
      port = s.getAsInt();
      end = arg.length();
    }
    if (end == arg.length()) {
      r.minPort = port;
      r.maxPort = port;
      return;
    }
    switch (arg.charAt(end)) {
      case '-' -> {}
      case ':' -> throw RuleException.parameter("Invalid port:port syntax - use dash");
      default ->
          throw RuleException.parameter("Garbage after port value: `" + arg.substring(end) + "'");
    }
    String rest = arg.substring(end + 1);
    CNumbers.Parsed m = CNumbers.xtStrtoul(rest, 0, 0, 0xffff);
    if (m == null) {
      throw RuleException.parameter("Port `" + rest + "' not valid");
    }
    int maxPort = (int) m.value();
    if (maxPort < port) {
      throw RuleException.parameter("Port range `" + rest + "' funky");
    }
    r.minPort = port;
    r.maxPort = maxPort;
    if (m.end() == rest.length()) {
      return;
    }
    if (rest.charAt(m.end()) != '/') {
      throw RuleException.parameter("Garbage after port range: `" + rest.substring(m.end()) + "'");
    }
    String baseText = rest.substring(m.end() + 1);
    // The base may trail garbage after a number; only a failed number falls back to a service.
    CNumbers.Parsed b = CNumbers.xtStrtoul(baseText, 0, 1, 0xffff);
    int base;
    if (b != null) {
      base = (int) b.value();
    } else {
      OptionalInt s = XtText.serviceAnyProto(d.lookups(), baseText);
      if (s.isEmpty()) {
        throw RuleException.parameter("Port `" + baseText + "' not valid");
      }
      base = s.getAsInt();
    }
    r.flags |= PROTO_OFFSET;
    r.basePort = base;
  }

  /** parse_to for AF_INET: [addr[-addr]][:ports]. */
  static void parseTo(String arg, boolean portOk, ExtData d, Range r) throws RuleException {
    if (arg.indexOf('[') >= 0) {
      throw RuleException.parameter("Invalid address format");
    }
    int colon = arg.indexOf(':');
    if (colon >= 0 && arg.indexOf(':', colon + 1) >= 0) {
      colon = -1; // two colons: taken for an IPv6 address, which inet_pton(AF_INET) refuses
    }
    String addrs = arg;
    if (colon >= 0) {
      parsePorts(arg.substring(colon + 1), portOk, d, r);
      if (colon == 0 || colon == 2) { // libxt_NAT's test for ":ports" and "[]:ports"
        return;
      }
      addrs = arg.substring(0, colon);
    }
    r.flags |= MAP_IPS;
    int dash = addrs.indexOf('-');
    String first = dash >= 0 ? addrs.substring(0, dash) : addrs;
    byte[] min = XtText.inetPton4(first);
    if (min == null) {
      throw RuleException.parameter("Bad IP address \"" + first + "\"");
    }
    r.minIp = ByteBuffer.wrap(min).getInt();
    if (dash >= 0) {
      String second = addrs.substring(dash + 1);
      byte[] max = XtText.inetPton4(second);
      if (max == null) {
        throw RuleException.parameter("Bad IP address \"" + second + "\"");
      }
      r.maxIp = ByteBuffer.wrap(max).getInt();
    } else {
      r.maxIp = r.minIp;
    }
  }

  /** TCP, UDP, SCTP, DCCP and ICMP have the ports (ids) NAT can map. */
  static boolean portOk(ExtData d) {
    int p = d.ip().proto();
    return p == 6 || p == 17 || p == 132 || p == 33 || p == 1;
  }

  /** One parsed option into a range (__NAT_parse). */
  static void parseInto(XtArg arg, ExtData d, Range r) throws RuleException {
    switch (arg.id()) {
      case O_TO_DEST, O_TO_SRC -> parseTo(arg.arg(), portOk(d), d, r);
      case O_TO_PORTS -> parsePorts(arg.arg(), portOk(d), d, r);
      case O_PERSISTENT -> r.flags |= PERSISTENT;
      case O_RANDOM -> r.flags |= PROTO_RANDOM;
      case O_RANDOM_FULLY -> r.flags |= PROTO_RANDOM_FULLY;
      default -> {}
    }
  }

  /** sprint_range + __NAT_print. */
  static void describe(
      Range r, String rangeOpt, String flagPrefix, boolean skipColon, StringBuilder out) {
    StringBuilder s = new StringBuilder();
    if ((r.flags & MAP_IPS) != 0) {
      s.append(Ipv4.dotted(r.minIp));
      if (r.minIp != r.maxIp) {
        s.append('-').append(Ipv4.dotted(r.maxIp));
      }
    }
    if ((r.flags & PROTO_SPECIFIED) != 0) {
      s.append(':').append(r.minPort);
      if (r.maxPort != r.minPort) {
        s.append('-').append(r.maxPort);
      }
      if ((r.flags & PROTO_OFFSET) != 0) {
        s.append('/').append(r.basePort);
      }
    }
    if (s.length() > 0) {
      if (s.charAt(0) == ':' && skipColon) {
        s.deleteCharAt(0);
      }
      out.append(' ').append(rangeOpt).append(s);
    }
    if ((r.flags & PROTO_RANDOM) != 0) {
      out.append(' ').append(flagPrefix).append("random");
    }
    if ((r.flags & PROTO_RANDOM_FULLY) != 0) {
      out.append(' ').append(flagPrefix).append("random-fully");
    }
    if ((r.flags & PERSISTENT) != 0) {
      out.append(' ').append(flagPrefix).append("persistent");
    }
  }

  /** The compat struct's one range, as RANGE2_INIT_FROM_IPV4_MRC reads it. */
  static Range readCompat(ByteBuffer b) {
    Range r = new Range();
    r.flags = b.getInt(4);
    r.minIp = getBe32(b, 8);
    r.maxIp = getBe32(b, 12);
    r.minPort = getBe16(b, 16);
    r.maxPort = getBe16(b, 18);
    return r;
  }

  /** SNAT, DNAT (rev 0), MASQUERADE, REDIRECT: struct nf_nat_ipv4_multi_range_compat. */
  static final class CompatNat extends AbstractXtExtension {
    private final Kind kind;

    CompatNat(Kind kind) {
      super(ExtensionKind.TARGET, kind.name(), 0, COMPAT_SIZE, kind.options());
      this.kind = kind;
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      // Each option parses into a fresh range; NAT_parse copies what that option set.
      Range r = new Range();
      parseInto(arg, d, r);
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_TO_DEST, O_TO_SRC -> {
          putBe32(b, 8, r.minIp);
          putBe32(b, 12, r.maxIp);
          putBe16(b, 16, r.minPort);
          putBe16(b, 18, r.maxPort);
        }
        case O_TO_PORTS -> {
          putBe16(b, 16, r.minPort);
          putBe16(b, 18, r.maxPort);
        }
        default -> {}
      }
      b.putInt(4, b.getInt(4) | r.flags);
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      d.data().putInt(0, 1);
      boolean dnatLike = kind == Kind.DNAT || kind == Kind.REDIRECT;
      if (dnatLike && (d.data().getInt(4) & PROTO_OFFSET) != 0) {
        throw RuleException.parameter("Shifted portmap ranges not supported with this kernel");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(readCompat(d.data()), kind.printOpt, "", kind.skipColon, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(readCompat(d.data()), kind.saveOpt, "--", kind.skipColon, out);
    }
  }

  /** DNAT revision 2: struct nf_nat_range2, written in place as options come. */
  static final class Dnat2 extends AbstractXtExtension {
    Dnat2() {
      super(ExtensionKind.TARGET, "DNAT", 2, RANGE2_SIZE, dnatOptions());
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      Range r = read(d.data());
      parseInto(arg, d, r);
      write(d.data(), r);
    }

    private static Range read(ByteBuffer b) {
      Range r = new Range();
      r.flags = b.getInt(0);
      r.minIp = getBe32(b, 4);
      r.maxIp = getBe32(b, 20);
      r.minPort = getBe16(b, 36);
      r.maxPort = getBe16(b, 38);
      r.basePort = getBe16(b, 40);
      return r;
    }

    private static void write(ByteBuffer b, Range r) {
      b.putInt(0, r.flags);
      putBe32(b, 4, r.minIp);
      putBe32(b, 20, r.maxIp);
      putBe16(b, 36, r.minPort);
      putBe16(b, 38, r.maxPort);
      putBe16(b, 40, r.basePort);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(read(d.data()), Kind.DNAT.printOpt, "", false, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(read(d.data()), Kind.DNAT.saveOpt, "--", false, out);
    }
  }

  /** NETMAP: the compat struct with a whole network as the range. */
  static final class Netmap extends AbstractXtExtension {
    Netmap() {
      super(
          ExtensionKind.TARGET,
          "NETMAP",
          0,
          COMPAT_SIZE,
          List.of(XtOption.mandatory("to", XtOptionType.HOSTMASK, 0)));
    }

    @Override
    public void init(ExtData d) {
      d.data().putInt(0, 1);
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      int addr = ByteBuffer.wrap(arg.addr()).getInt();
      int mask = ByteBuffer.wrap(arg.mask()).getInt();
      ByteBuffer b = d.data();
      b.putInt(4, b.getInt(4) | MAP_IPS);
      putBe32(b, 8, addr & mask);
      putBe32(b, 12, (addr & mask) | ~mask);
    }

    private static void network(ExtData d, StringBuilder out) {
      int min = getBe32(d.data(), 8);
      int max = getBe32(d.data(), 12);
      int mask = ~(min ^ max);
      out.append(Ipv4.dotted(min)).append('/');
      int bits = Ipv4.prefixLength(mask);
      out.append(bits < 0 ? Ipv4.dotted(mask) : Integer.toString(bits));
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" to:");
      network(d, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --to ");
      network(d, out);
    }
  }
}

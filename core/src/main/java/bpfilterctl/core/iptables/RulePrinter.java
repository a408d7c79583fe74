package bpfilterctl.core.iptables;

import bpfilterctl.core.iptables.RuleTable.Chain;
import bpfilterctl.core.iptables.RuleTable.Rule;
import bpfilterctl.core.iptables.ext.ExtData;
import bpfilterctl.core.iptables.ext.Libxtables;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtension;
import bpfilterctl.core.iptables.ext.XtPrint;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.Optional;

/**
 * What iptables prints of a table: {@code -L} (print_firewall and print_header with their FMT_*
 * flags), {@code -S} and iptables-save's lines (print_rule4). Extensions print their own parts;
 * they are looked up by name and revision through {@link Revisions}, which asks the module the
 * first time, as iptables does while it prints.
 */
public final class RulePrinter {
  public static final int FMT_NUMERIC = 0x0001;
  public static final int FMT_NOCOUNTS = 0x0002;
  public static final int FMT_KILOMEGAGIGA = 0x0004;
  public static final int FMT_OPTIONS = 0x0008;
  public static final int FMT_NOTABLE = 0x0010;
  public static final int FMT_NOTARGET = 0x0020;
  public static final int FMT_VIA = 0x0040;
  public static final int FMT_NONEWLINE = 0x0080;
  public static final int FMT_LINENUMBERS = 0x0100;
  public static final int FMT_PRINT_RULE =
      FMT_NOCOUNTS | FMT_OPTIONS | FMT_VIA | FMT_NUMERIC | FMT_NOTABLE;

  private static final String UNSUPPORTED_REV = " [unsupported revision]";

  private final Revisions revisions;
  private final Lookups lookups;
  private final String table;

  public RulePrinter(Revisions revisions, Lookups lookups, String table) {
    this.revisions = revisions;
    this.lookups = lookups;
    this.table = table;
  }

  // ---- -L ----------------------------------------------------------------------------------

  /** print_header. */
  public void header(StringBuilder out, int format, Chain c, int references) {
    out.append("Chain ").append(c.name());
    if (c.builtin()) {
      out.append(" (policy ").append(RuleTable.verdictName(c.verdict()));
      if ((format & FMT_NOCOUNTS) == 0) {
        out.append(' ');
        number(out, c.counters().pcnt(), format | FMT_NOTABLE);
        out.append("packets, ");
        number(out, c.counters().bcnt(), format | FMT_NOTABLE);
        out.append("bytes");
      }
      out.append(")\n");
    } else {
      out.append(" (").append(references).append(" references)\n");
    }
    boolean notable = (format & FMT_NOTABLE) != 0;
    if ((format & FMT_LINENUMBERS) != 0) {
      out.append(notable ? "num " : String.format("%-4s ", "num"));
    }
    if ((format & FMT_NOCOUNTS) == 0) {
      if ((format & FMT_KILOMEGAGIGA) != 0) {
        out.append(notable ? "pkts " : String.format("%5s ", "pkts"));
        out.append(notable ? "bytes " : String.format("%5s ", "bytes"));
      } else {
        out.append(notable ? "pkts " : String.format("%8s ", "pkts"));
        out.append(notable ? "bytes " : String.format("%10s ", "bytes"));
      }
    }
    if ((format & FMT_NOTARGET) == 0) {
      out.append(notable ? "target " : String.format("%-9s ", "target"));
    }
    out.append(" prot ");
    if ((format & FMT_OPTIONS) != 0) {
      out.append("opt");
    }
    if ((format & FMT_VIA) != 0) {
      out.append(notable ? "in " : String.format(" %-6s ", "in"));
      out.append(notable ? "out " : String.format("%-6s ", "out"));
    }
    out.append(notable ? "source " : String.format(" %-19s ", "source"));
    out.append(notable ? " destination " : String.format(" %-19s ", "destination"));
    out.append('\n');
  }

  /** print_firewall: one rule's line. */
  public void rule(StringBuilder out, IptEntry e, String targetName, int num, int format)
      throws RuleException, ModuleException {
    if (!e.target().isStandard()) {
      // print_firewall loads the target before anything else, so its GET_REVISION_TARGET comes
      // before those of the rule's matches
      revisions.find(ExtensionKind.TARGET, e.target().name());
    }
    boolean notable = (format & FMT_NOTABLE) != 0;
    IptIp ip = e.ip();
    boolean numeric = (format & FMT_NUMERIC) != 0;
    if ((format & FMT_LINENUMBERS) != 0) {
      out.append(notable ? num + " " : String.format("%-4d ", num));
    }
    if ((format & FMT_NOCOUNTS) == 0) {
      number(out, e.counters().pcnt(), format);
      number(out, e.counters().bcnt(), format);
    }
    if ((format & FMT_NOTARGET) == 0) {
      out.append(notable ? targetName + " " : String.format("%-9s ", targetName));
    }
    out.append((ip.invflags() & IptIp.INV_PROTO) != 0 ? '!' : ' ');
    String pname = Libxtables.protocolName(ip.proto(), numeric, lookups);
    if ((format & (FMT_NUMERIC | FMT_NOTABLE)) == FMT_NUMERIC || pname == null) {
      out.append(notable ? ip.proto() + " " : String.format("%-4d ", ip.proto()));
    } else {
      out.append(notable ? pname + " " : String.format("%-4s ", pname));
    }
    if ((format & FMT_OPTIONS) != 0) {
      if (notable) {
        out.append("opt ");
      }
      out.append((ip.invflags() & IptIp.INV_FRAG) != 0 ? '!' : '-');
      out.append((ip.flags() & 0x01) != 0 ? 'f' : '-');
      out.append(' ');
    }
    if ((format & FMT_VIA) != 0) {
      String any = numeric ? "*" : "any";
      String in =
          ((ip.invflags() & IptIp.INV_VIA_IN) != 0 ? "!" : "")
              + (ip.iniface().isEmpty() ? any : ip.iniface());
      String outIf =
          ((ip.invflags() & IptIp.INV_VIA_OUT) != 0 ? "!" : "")
              + (ip.outiface().isEmpty() ? any : ip.outiface());
      out.append(notable ? "in " + in + " " : String.format(" %-6s ", in));
      out.append(notable ? "out " + outIf + " " : String.format("%-6s ", outIf));
    }
    out.append((ip.invflags() & IptIp.INV_SRCIP) != 0 ? '!' : ' ');
    String src = address(ip.src(), ip.smsk(), numeric);
    out.append(notable ? src + " " : String.format("%-19s ", src));
    out.append((ip.invflags() & IptIp.INV_DSTIP) != 0 ? '!' : ' ');
    String dst = address(ip.dst(), ip.dmsk(), numeric);
    out.append(notable ? "-> " + dst : String.format("%-19s ", dst));
    if (notable) {
      out.append("  ");
    }
    if ((ip.flags() & 0x02) != 0) {
      out.append("[goto] ");
    }
    for (XtEntryMatch m : e.matches()) {
      printMatch(out, m, ip, numeric);
    }
    XtEntryTarget t = e.target();
    if (!t.isStandard()) {
      Optional<XtExtension> any = revisions.find(ExtensionKind.TARGET, t.name());
      if (any.isPresent()) {
        Optional<XtExtension> exact = revisions.find(ExtensionKind.TARGET, t.name(), t.revision());
        if (exact.isPresent()) {
          exact.get().print(data(t.data(), ip), numeric, out);
        } else {
          out.append(' ').append(any.get().name()).append(UNSUPPORTED_REV);
        }
      } else if (t.size() != XtEntryTarget.HEADER_SIZE) {
        out.append('[')
            .append(t.size() - XtEntryTarget.HEADER_SIZE)
            .append(" bytes of unknown target data] ");
      }
    }
    if ((format & FMT_NONEWLINE) == 0) {
      out.append('\n');
    }
  }

  private void printMatch(StringBuilder out, XtEntryMatch m, IptIp ip, boolean numeric)
      throws ModuleException {
    Optional<XtExtension> any = revisions.find(ExtensionKind.MATCH, m.name());
    if (any.isEmpty()) {
      if (!m.name().isEmpty()) {
        out.append("UNKNOWN match `").append(m.name()).append("' ");
      }
      return;
    }
    Optional<XtExtension> exact = revisions.find(ExtensionKind.MATCH, m.name(), m.revision());
    if (exact.isPresent()) {
      exact.get().print(data(m.data(), ip), numeric, out);
    } else {
      out.append(any.get().name()).append(UNSUPPORTED_REV).append(' ');
    }
  }

  /** {@code bytes} are the caller's copy (a match's or target's data() is one already). */
  private ExtData data(byte[] bytes, IptIp ip) {
    return new ExtData(bytes, ip, table, lookups);
  }

  /** ipv4_addr_to_string. */
  private String address(int addr, int mask, boolean numeric) {
    if (mask == 0 && !numeric) {
      return "anywhere";
    }
    long a = addr & 0xFFFFFFFFL;
    return (numeric ? XtPrint.ip(a) : lookups.addressName(a)) + XtPrint.mask(mask & 0xFFFFFFFFL);
  }

  /** xtables_print_num. */
  static void number(StringBuilder out, long n, int format) {
    boolean notable = (format & FMT_NOTABLE) != 0;
    if ((format & FMT_KILOMEGAGIGA) == 0) {
      out.append(notable ? Long.toUnsignedString(n) + " " : pad(Long.toUnsignedString(n), 8));
      return;
    }
    if (Long.compareUnsigned(n, 99999) <= 0) {
      out.append(notable ? n + " " : pad(Long.toString(n), 5));
      return;
    }
    String[] units = {"K", "M", "G"};
    long v = n;
    for (String u : units) {
      v = Long.divideUnsigned(v + 500, 1000);
      if (v <= 9999) {
        out.append(notable ? v + u + " " : pad(Long.toString(v), 4).stripTrailing() + u + " ");
        return;
      }
    }
    v = Long.divideUnsigned(v + 500, 1000);
    out.append(notable ? v + "T " : pad(Long.toString(v), 4).stripTrailing() + "T ");
  }

  private static String pad(String s, int width) {
    return " ".repeat(Math.max(0, width - s.length())) + s + " ";
  }

  // ---- -S and iptables-save -----------------------------------------------------------------

  /**
   * iptables-save's chain line: a built-in chain's policy and counters, a user chain's "-" and
   * "[0:0]" whatever its RETURN counted (iptables-save never reads those counters).
   */
  public static String saveChainLine(Chain c) {
    if (!c.builtin()) {
      return ":" + c.name() + " - [0:0]";
    }
    return ":"
        + c.name()
        + " "
        + RuleTable.verdictName(c.verdict())
        + " ["
        + Long.toUnsignedString(c.counters().pcnt())
        + ":"
        + Long.toUnsignedString(c.counters().bcnt())
        + "]";
  }

  /**
   * print_rule4: one "-A" line. {@code counters} > 0 puts "[p:b] " in front (iptables-save -c), < 0
   * puts " -c p b" before the target (iptables -S -v), 0 neither.
   */
  public void saveRule(StringBuilder out, Rule r, String chain, int counters)
      throws RuleException, ModuleException {
    IptEntry e = r.entry();
    IptIp ip = e.ip();
    XtCounters c = e.counters();
    if (counters > 0) {
      out.append('[')
          .append(Long.toUnsignedString(c.pcnt()))
          .append(':')
          .append(Long.toUnsignedString(c.bcnt()))
          .append("] ");
    }
    out.append("-A ").append(chain);
    saveAddress(out, 's', ip.src(), ip.smsk(), (ip.invflags() & IptIp.INV_SRCIP) != 0);
    saveAddress(out, 'd', ip.dst(), ip.dmsk(), (ip.invflags() & IptIp.INV_DSTIP) != 0);
    saveIface(out, 'i', ip.iniface(), ip.inifaceMask(), (ip.invflags() & IptIp.INV_VIA_IN) != 0);
    saveIface(out, 'o', ip.outiface(), ip.outifaceMask(), (ip.invflags() & IptIp.INV_VIA_OUT) != 0);
    if (ip.proto() > 0) {
      String pname = Libxtables.protocolName(ip.proto(), false, lookups);
      if ((ip.invflags() & IptIp.INV_PROTO) != 0) {
        out.append(" !");
      }
      out.append(" -p ").append(pname != null ? pname : Integer.toString(ip.proto()));
    }
    if ((ip.flags() & 0x01) != 0) {
      if ((ip.invflags() & IptIp.INV_FRAG) != 0) {
        out.append(" !");
      }
      out.append(" -f");
    }
    for (XtEntryMatch m : e.matches()) {
      Optional<XtExtension> any = revisions.find(ExtensionKind.MATCH, m.name());
      if (any.isEmpty()) {
        throw RuleException.other("Can't find library for match `" + m.name() + "'").bare();
      }
      Optional<XtExtension> exact = revisions.find(ExtensionKind.MATCH, m.name(), m.revision());
      ExtData d = data(m.data(), ip);
      out.append(" -m ").append(exact.orElse(any.get()).alias(d));
      if (exact.isPresent()) {
        exact.get().save(d, out);
      } else {
        out.append(UNSUPPORTED_REV);
      }
    }
    if (counters < 0) {
      out.append(" -c ")
          .append(Long.toUnsignedString(c.pcnt()))
          .append(' ')
          .append(Long.toUnsignedString(c.bcnt()));
    }
    String targetName = RuleTable.targetName(r);
    XtEntryTarget t = e.target();
    if (!t.name().isEmpty()) {
      Optional<XtExtension> any = revisions.find(ExtensionKind.TARGET, t.name());
      if (any.isEmpty()) {
        throw RuleException.other("Can't find library for target `" + t.name() + "'").bare();
      }
      Optional<XtExtension> exact = revisions.find(ExtensionKind.TARGET, t.name(), t.revision());
      ExtData d = data(t.data(), ip);
      out.append(" -j ").append(exact.orElse(any.get()).alias(d));
      if (exact.isPresent()) {
        exact.get().save(d, out);
      } else {
        out.append(UNSUPPORTED_REV);
      }
    } else if (!targetName.isEmpty()) {
      out.append((ip.flags() & 0x02) != 0 ? " -g " : " -j ").append(targetName);
    }
    out.append('\n');
  }

  private static void saveAddress(StringBuilder out, char letter, int addr, int mask, boolean inv) {
    if (mask == 0 && !inv && addr == 0) {
      return;
    }
    out.append(inv ? " !" : "")
        .append(" -")
        .append(letter)
        .append(' ')
        .append(XtPrint.ip(addr & 0xFFFFFFFFL))
        .append('/')
        .append(maskToString(mask));
  }

  /** save_ipv4_addr's mask_to_str: the prefix length, or the dotted mask when it has none. */
  private static String maskToString(int mask) {
    long m = mask & 0xFFFFFFFFL;
    int c = XtPrint.cidr(m);
    return c == -1 ? XtPrint.ip(m) : Integer.toString(c);
  }

  /** save_iface: the name up to where the mask ends, "+" when it ends before the name. */
  private static void saveIface(
      StringBuilder out, char letter, String name, byte[] mask, boolean inv) {
    if (mask[0] == 0) {
      return;
    }
    out.append(inv ? " !" : "").append(" -").append(letter).append(' ');
    byte[] n =
        java.util.Arrays.copyOf(
            name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), IptIp.IFNAMSIZ + 1);
    for (int i = 0; i < IptIp.IFNAMSIZ; i++) {
      if (mask[i] != 0) {
        if (n[i] != 0) {
          out.append((char) (n[i] & 0xff));
        }
      } else {
        if (n[i - 1] != 0) {
          out.append('+');
        }
        break;
      }
    }
  }
}

package bpfilterctl.core.traffic;

import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.Ipv4;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fallback printer: iptables-save's shape (chains, policies, {@code [pkts:bytes] -A CHAIN} and
 * the ipt_ip part) from the structure alone. Matches and non-standard targets are named with their
 * size in bytes ({@code -m tcp[48]}) because only the iptables front-end knows their options.
 */
public final class StructuralEntryRenderer implements EntryRenderer {
  private static final int F_FRAG = 0x01;
  private static final int F_GOTO = 0x02;

  @Override
  public List<String> render(String table, TableLayout layout, List<IptEntry> entries) {
    int[] offsets = IptEntries.offsets(entries);
    Map<Integer, String> chainAt = new HashMap<>();
    Map<Integer, Hook> policyAt = new HashMap<>();
    for (Hook h : layout.hooks()) {
      chainAt.put(layout.hookEntry(h), h.name());
      policyAt.put(layout.underflow(h), h);
    }
    // A user chain starts after its ERROR head; libiptc's jumps point at that first entry, a
    // hand-made blob's may point at the head itself.
    Map<Integer, String> jumpTo = new HashMap<>();
    for (int i = 0; i + 1 < entries.size(); i++) {
      XtEntryTarget t = entries.get(i).target();
      if (t.isError() && !t.errorName().equals(XtEntryTarget.ERROR)) {
        chainAt.put(offsets[i + 1], t.errorName());
        jumpTo.put(offsets[i], t.errorName());
        jumpTo.put(offsets[i + 1], t.errorName());
      }
    }
    List<String> heads = new ArrayList<>();
    List<String> rules = new ArrayList<>();
    heads.add("*" + table);
    String chain = layout.known() ? null : "?";
    for (int i = 0; i < entries.size(); i++) {
      IptEntry e = entries.get(i);
      XtEntryTarget t = e.target();
      chain = chainAt.getOrDefault(offsets[i], chain);
      Hook policy = policyAt.get(offsets[i]);
      if (policy != null && layout.known()) {
        heads.add(":" + policy.name() + " " + verdictName(t) + " " + counters(e.counters()));
      } else if (t.isError()) {
        String name = t.errorName();
        if (!name.equals(XtEntryTarget.ERROR)) {
          heads.add(":" + name + " - " + counters(e.counters()));
        }
      } else if (!isChainEnd(e, i, entries)) {
        rules.add(rule(chain == null ? "?" : chain, e, jumpTo));
      }
    }
    heads.addAll(rules);
    heads.add("COMMIT");
    return heads;
  }

  /** The unconditional RETURN that closes a user chain; iptables-save does not show it. */
  private static boolean isChainEnd(IptEntry e, int i, List<IptEntry> entries) {
    return e.target().isStandard()
        && e.target().verdict() == Verdict.RETURN
        && e.matches().isEmpty()
        && e.ip().equals(IptIp.ANY)
        && i + 1 < entries.size()
        && entries.get(i + 1).target().isError();
  }

  private static String rule(String chain, IptEntry e, Map<Integer, String> jumpTo) {
    StringBuilder b = new StringBuilder();
    b.append(counters(e.counters())).append(" -A ").append(chain);
    IptIp ip = e.ip();
    address(b, "-s", ip.src(), ip.smsk(), (ip.invflags() & IptIp.INV_SRCIP) != 0);
    address(b, "-d", ip.dst(), ip.dmsk(), (ip.invflags() & IptIp.INV_DSTIP) != 0);
    iface(b, "-i", ip.iniface(), ip.inifaceMask(), (ip.invflags() & IptIp.INV_VIA_IN) != 0);
    iface(b, "-o", ip.outiface(), ip.outifaceMask(), (ip.invflags() & IptIp.INV_VIA_OUT) != 0);
    if (ip.proto() != 0) {
      b.append((ip.invflags() & IptIp.INV_PROTO) != 0 ? " ! -p " : " -p ")
          .append(proto(ip.proto()));
    }
    if ((ip.flags() & F_FRAG) != 0) {
      b.append((ip.invflags() & IptIp.INV_FRAG) != 0 ? " ! -f" : " -f");
    }
    for (XtEntryMatch m : e.matches()) {
      b.append(" -m ").append(m.name()).append('[').append(m.size()).append(']');
    }
    XtEntryTarget t = e.target();
    if (t.isStandard()) {
      int v = t.verdict();
      String jump = (ip.flags() & F_GOTO) != 0 ? " -g " : " -j ";
      if (Verdict.isJump(v)) {
        b.append(jump).append(jumpTo.getOrDefault(v, "@" + v));
      } else {
        b.append(" -j ").append(verdictName(t));
      }
    } else {
      b.append(" -j ").append(t.name()).append('[').append(t.size()).append(']');
    }
    return b.toString();
  }

  private static String verdictName(XtEntryTarget t) {
    if (!t.isStandard()) {
      return t.name();
    }
    int v = t.verdict();
    if (v == Verdict.ACCEPT) {
      return "ACCEPT";
    }
    if (v == Verdict.DROP) {
      return "DROP";
    }
    if (v == Verdict.QUEUE) {
      return "QUEUE";
    }
    if (v == Verdict.RETURN) {
      return "RETURN";
    }
    return v >= 0 ? "@" + v : "verdict " + v;
  }

  private static String counters(XtCounters c) {
    return "[" + c.pcnt() + ":" + c.bcnt() + "]";
  }

  private static void address(StringBuilder b, String flag, int addr, int mask, boolean inv) {
    if (mask == 0 && addr == 0 && !inv) {
      return;
    }
    b.append(inv ? " ! " : " ").append(flag).append(' ').append(Ipv4.dotted(addr));
    b.append('/')
        .append(
            Ipv4.prefixLength(mask) >= 0
                ? Integer.toString(Ipv4.prefixLength(mask))
                : Ipv4.dotted(mask));
  }

  private static void iface(StringBuilder b, String flag, String name, byte[] mask, boolean inv) {
    if (name.isEmpty()) {
      return;
    }
    // A mask that stops before the name's NUL is a prefix match, which iptables writes with '+'.
    boolean prefix = name.length() < mask.length && mask[name.length()] == 0;
    b.append(inv ? " ! " : " ").append(flag).append(' ').append(name).append(prefix ? "+" : "");
  }

  private static String proto(int p) {
    return switch (p) {
      case 1 -> "icmp";
      case 6 -> "tcp";
      case 17 -> "udp";
      default -> Integer.toString(p);
    };
  }
}

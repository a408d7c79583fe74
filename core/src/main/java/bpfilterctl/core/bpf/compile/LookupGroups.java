package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.Verdict;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtTcp;
import bpfilterctl.core.uapi.XtUdp;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Runs of consecutive entries that one hash lookup decides exactly. Entries of one shape (the same
 * address masks, whether the protocol is tested, the same tcp/udp/udplite match with the same ports
 * tested as single ports, no inversion, no interface, no {@code -f}, ACCEPT or DROP) match a packet
 * exactly when their key (the tested fields, masked) equals the packet's key: the first entry of
 * the run that matches is the one with the smallest index among those with the packet's key. Each
 * run's entries go into one hash map keyed by {group, key}, valued by {smallest entry index,
 * verdict}.
 *
 * <p>A transport match hotdrops a packet whose header it cannot read, at the first entry whose
 * ipt_ip tests pass: such a run also holds, per address key, a hotdrop key whose protocol field is
 * the packet's L4P slot with the hotdrop status and whose ports are zero.
 */
final class LookupGroups {
  /** Key: group, saddr, daddr (network order), protocol or L4P, sport, dport (u32 each). */
  static final int KEY_SIZE = 24;

  /** Value: entry index, verdict (0 DROP, 1 ACCEPT, 2 hotdrop). */
  static final int VALUE_SIZE = 8;

  static final int VERDICT_HOTDROP = 2;

  /** What a run's entries test; equal shapes make equal key layouts. */
  record Shape(
      int smsk, int dmsk, boolean protoTested, int transport, boolean sport, boolean dport) {
    boolean hasTransport() {
      return transport != 0;
    }
  }

  /** Entries [start, end) of one group. */
  record Run(int start, int end, int group, Shape shape) {}

  private final Map<Integer, Run> runs = new HashMap<>();
  private final ByteArrayOutputStream keys = new ByteArrayOutputStream();
  private final ByteArrayOutputStream values = new ByteArrayOutputStream();
  private int count;

  /** Finds the runs of at least {@code minRun} entries (0 disables grouping). */
  LookupGroups(FilterTable table, int minRun) {
    if (minRun <= 0) {
      return;
    }
    Set<Integer> targets = targets(table);
    int i = 0;
    int group = 0;
    while (i < table.size()) {
      Optional<Shape> s = shape(table.entry(i));
      if (s.isEmpty()) {
        i++;
        continue;
      }
      int end = i + 1;
      while (end < table.size() && !targets.contains(end) && s.equals(shape(table.entry(end)))) {
        end++;
      }
      if (end - i >= minRun) {
        Run run = new Run(i, end, group++, s.get());
        runs.put(i, run);
        fill(table, run);
      }
      i = end;
    }
  }

  /** The run starting at {@code index}, if one does. */
  Optional<Run> runAt(int index) {
    return Optional.ofNullable(runs.get(index));
  }

  CompiledTable.Lookups lookups() {
    return new CompiledTable.Lookups(keys.toByteArray(), values.toByteArray(), count);
  }

  /** Entries something jumps or falls into from outside the entry before: runs end there. */
  private static Set<Integer> targets(FilterTable table) {
    Set<Integer> t = new HashSet<>();
    for (int hook = 0; hook < Abi.NUM_HOOKS; hook++) {
      if (table.hasHook(hook)) {
        t.add(table.hookEntry(hook));
        t.add(table.underflow(hook));
      }
    }
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      if (en.target().isStandard() && Verdict.isJump(en.target().verdict())) {
        t.add(table.indexAt(en.target().verdict()));
      }
    }
    return t;
  }

  /** The entry's shape, or empty when a lookup cannot decide it exactly. */
  static Optional<Shape> shape(IptEntry en) {
    if (!en.target().isStandard() || EntryTests.alwaysMatches(en)) {
      return Optional.empty();
    }
    int v = en.target().verdict();
    if (v != Verdict.ACCEPT && v != Verdict.DROP) {
      return Optional.empty();
    }
    IptIp ip = en.ip();
    if (ip.invflags() != 0
        || (ip.flags() & IptIp.F_FRAG) != 0
        || nonZero(ip.inifaceMask())
        || nonZero(ip.outifaceMask())
        || (ip.src() & ~ip.smsk()) != 0
        || (ip.dst() & ~ip.dmsk()) != 0) {
      return Optional.empty();
    }
    if (en.matches().isEmpty()) {
      return Optional.of(new Shape(ip.smsk(), ip.dmsk(), ip.proto() != 0, 0, false, false));
    }
    if (en.matches().size() != 1) {
      return Optional.empty();
    }
    XtEntryMatch m = en.matches().get(0);
    if (m.revision() != 0) {
      return Optional.empty();
    }
    ByteBuffer d = Abi.wrap(m.data());
    int[] ports;
    int proto;
    switch (m.name()) {
      case "tcp" -> {
        XtTcp t = XtTcp.decode(d);
        if (t.option() != 0 || t.flgMask() != 0 || t.flgCmp() != 0 || t.inv() != 0) {
          return Optional.empty();
        }
        ports = new int[] {t.sptMin(), t.sptMax(), t.dptMin(), t.dptMax()};
        proto = EntryTests.IPPROTO_TCP;
      }
      case "udp", "udplite" -> {
        XtUdp u = XtUdp.decode(d);
        if (u.inv() != 0) {
          return Optional.empty();
        }
        ports = new int[] {u.sptMin(), u.sptMax(), u.dptMin(), u.dptMax()};
        proto = m.name().equals("udp") ? EntryTests.IPPROTO_UDP : EntryTests.IPPROTO_UDPLITE;
      }
      default -> {
        return Optional.empty();
      }
    }
    if (ip.proto() != proto) {
      return Optional.empty();
    }
    Boolean sport = singleOrAny(ports[0], ports[1]);
    Boolean dport = singleOrAny(ports[2], ports[3]);
    if (sport == null || dport == null) {
      return Optional.empty();
    }
    return Optional.of(new Shape(ip.smsk(), ip.dmsk(), true, proto, sport, dport));
  }

  /** True for one port, false for every port, null for anything else (a lookup cannot say). */
  private static Boolean singleOrAny(int min, int max) {
    if (min == max) {
      return true;
    }
    return min == 0 && max == 0xffff ? false : null;
  }

  private void fill(FilterTable table, Run run) {
    Set<ByteBuffer> seen = new HashSet<>();
    for (int i = run.start(); i < run.end(); i++) {
      IptEntry en = table.entry(i);
      int[] ports = ports(en);
      int verdict = en.target().verdict() == Verdict.ACCEPT ? 1 : 0;
      int sport = run.shape().sport() ? ports[0] : 0;
      int dport = run.shape().dport() ? ports[1] : 0;
      put(seen, key(run.group(), en.ip(), en.ip().proto(), sport, dport), i, verdict);
      if (run.shape().hasTransport()) {
        int l4p = (PacketSummary.STATUS_HOTDROP << 8) | en.ip().proto();
        put(seen, key(run.group(), en.ip(), l4p, 0, 0), i, VERDICT_HOTDROP);
      }
    }
  }

  /** {sport, dport} of the entry's tcp/udp match (the minimum of each range). */
  private static int[] ports(IptEntry en) {
    if (en.matches().isEmpty()) {
      return new int[] {0, 0};
    }
    XtEntryMatch m = en.matches().get(0);
    ByteBuffer d = Abi.wrap(m.data());
    if (m.name().equals("tcp")) {
      XtTcp t = XtTcp.decode(d);
      return new int[] {t.sptMin(), t.dptMin()};
    }
    XtUdp u = XtUdp.decode(d);
    return new int[] {u.sptMin(), u.dptMin()};
  }

  private static byte[] key(int group, IptIp ip, int proto, int sport, int dport) {
    ByteBuffer k = ByteBuffer.allocate(KEY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    k.putInt(0, group);
    k.order(ByteOrder.BIG_ENDIAN).putInt(4, ip.src() & ip.smsk()).putInt(8, ip.dst() & ip.dmsk());
    k.order(ByteOrder.LITTLE_ENDIAN).putInt(12, proto).putInt(16, sport).putInt(20, dport);
    return k.array();
  }

  /** Adds the key unless an earlier entry of the run has it (that one matches first). */
  private void put(Set<ByteBuffer> seen, byte[] key, int index, int verdict) {
    if (!seen.add(ByteBuffer.wrap(key))) {
      return;
    }
    keys.writeBytes(key);
    ByteBuffer v = ByteBuffer.allocate(VALUE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    values.writeBytes(v.putInt(0, index).putInt(4, verdict).array());
    count++;
  }

  private static boolean nonZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return true;
      }
    }
    return false;
  }
}

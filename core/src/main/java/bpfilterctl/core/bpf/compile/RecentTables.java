package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtRecentMtinfo;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The xt_recent tables a filter table's recent matches use, as recent_mt_check leaves them: one per
 * --name in the namespace, shared by every rule naming it. A table that lives on from the installed
 * generation (a rule of it names it too) keeps its entries and the address mask it was created
 * with; its ring of stamps only grows, and growing flushes it. A new table takes its mask from the
 * first rule naming it. Each table is one BPF hash map (key: the masked address, network order;
 * value: {@link #VALUE_HEAD} bytes then the ring of u64 jiffies), fd_array index {@link #MAP_BASE}
 * + its position here; index {@link #ZERO_INDEX} is a one-slot array of zeros, which a new entry is
 * inserted from.
 */
public final class RecentTables {
  /** An array map of one zero value as large as the largest entry (see ProgramLoader). */
  public static final int ZERO_INDEX = 3;

  /** The first table's fd_array index. */
  public static final int MAP_BASE = 4;

  /**
   * Value: struct bpf_spin_lock, u32 nstamps, u32 index, u32 ttl, u64 seq (the ktime of its last
   * record: its place in the table's LRU order), then u64 stamps[ring].
   */
  public static final int VALUE_HEAD = 24;

  public static final int NSTAMPS = 4;
  public static final int INDEX = 8;
  public static final int TTL = 12;
  public static final int SEQ = 16;

  /**
   * The longest --name kept: a table's pin name (RecentMaps) holds it in hex within bpffs' 255
   * bytes.
   */
  public static final int MAX_NAME = 117;

  /** The largest ring compiled (the stamps are scanned unrolled): XT_RECENT_MAX_NSTAMPS of 6.10. */
  public static final int MAX_RING = 256;

  /**
   * One table.
   *
   * @param name its --name
   * @param mask the address mask (network order, as an int read big-endian)
   * @param ring stamps per entry: t->nstamps_max_mask + 1, a power of two
   * @param kept true when the installed generation's table of this name is kept (same ring)
   */
  public record Table(String name, int mask, int ring, boolean kept) {
    public int valueSize() {
      return VALUE_HEAD + 8 * ring;
    }
  }

  /** A table of the installed generation: its mask and ring. */
  public record Live(int mask, int ring) {}

  /** No recent matches. */
  public static final RecentTables NONE = new RecentTables(List.of(), Map.of(), 0);

  private final List<Table> tables;
  private final Map<String, Integer> index;
  private final int ipListTot;

  private RecentTables(List<Table> tables, Map<String, Integer> index, int ipListTot) {
    this.tables = tables;
    this.index = index;
    this.ipListTot = ipListTot;
  }

  /**
   * The tables of {@code table}'s recent matches, given the installed ones ({@code live}) and the
   * module's parameters.
   */
  static RecentTables of(FilterTable table, Map<String, Live> live, RecentParams params, int hz)
      throws Refusal {
    Map<String, int[]> wanted = new LinkedHashMap<>(); // name -> {mask, nstamp mask}
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      for (XtEntryMatch m : en.matches()) {
        if (!m.name().equals("recent")) {
          continue;
        }
        ByteBuffer d = Abi.wrap(m.data());
        check(d);
        if (d.getInt(XtRecentMtinfo.OFF_SECONDS) != 0 && hz <= 0) {
          throw new Refusal(
              "recent --seconds: the kernel's CONFIG_HZ is unknown (no /proc/config.gz)");
        }
        String name = name(d);
        int mask = m.revision() == 0 ? -1 : Integer.reverseBytes(d.getInt(XtRecentMtinfo.OFF_MASK));
        int nstampMask = nstampMask(params, d.getInt(XtRecentMtinfo.OFF_HIT_COUNT));
        int[] w = wanted.computeIfAbsent(name, n -> new int[] {mask, nstampMask});
        w[1] = Math.max(w[1], nstampMask);
      }
    }
    if (wanted.isEmpty()) {
      return NONE;
    }
    List<Table> tables = new ArrayList<>();
    Map<String, Integer> index = new HashMap<>();
    for (var w : wanted.entrySet()) {
      Live l = live.get(w.getKey());
      int ring = w.getValue()[1] + 1;
      Table t;
      if (l != null && ring <= l.ring()) {
        t = new Table(w.getKey(), l.mask(), l.ring(), true);
      } else {
        // a new table, or recent_mt_check's flush of one whose ring grows (its mask stays)
        t = new Table(w.getKey(), l != null ? l.mask() : w.getValue()[0], ring, false);
      }
      if (t.ring() > MAX_RING) {
        throw new Refusal("recent --name " + t.name() + ": more than " + MAX_RING + " stamps");
      }
      index.put(t.name(), tables.size());
      tables.add(t);
    }
    return new RecentTables(List.copyOf(tables), index, params.ipListTot());
  }

  /** Long names are refused: see docs/enforcement.md. */
  static void check(ByteBuffer d) throws Refusal {
    if (name(d).length() > MAX_NAME) {
      throw new Refusal("recent --name longer than " + MAX_NAME + " characters");
    }
  }

  /** recent_mt_check's nstamp_mask for a rule's hit_count. */
  static int nstampMask(RecentParams params, int hitCount) {
    long hc = Integer.toUnsignedLong(hitCount);
    long tot = params.ipPktListTot();
    if (tot != 0 && hc < tot) {
      return (int) (roundupPow2(tot) - 1);
    }
    if (hc != 0) {
      return (int) Math.min(roundupPow2(hc) - 1, Integer.MAX_VALUE);
    }
    return 32 - 1;
  }

  private static long roundupPow2(long n) {
    return n <= 1 ? 1 : Long.highestOneBit(n - 1) << 1;
  }

  static String name(ByteBuffer d) {
    byte[] b = new byte[XtRecentMtinfo.NAME_LEN];
    d.get(XtRecentMtinfo.OFF_NAME, b);
    int n = 0;
    while (n < b.length && b[n] != 0) {
      n++;
    }
    return new String(b, 0, n, StandardCharsets.ISO_8859_1);
  }

  public List<Table> tables() {
    return tables;
  }

  /** The position of the table named {@code name}. */
  int indexOf(String name) {
    return index.get(name);
  }

  Table table(int i) {
    return tables.get(i);
  }

  /** ip_list_tot: entries per table (each map's max_entries). */
  public int ipListTot() {
    return ipListTot;
  }

  /** The largest entry: the zero value's size. */
  public int maxValueSize() {
    return tables.stream().mapToInt(Table::valueSize).max().orElse(0);
  }
}

package bpfilterctl.core.bpf.compile;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The token buckets of a table's limit matches: one per match (xt_limit's xt_limit_priv, which
 * limit_mt_check allocates afresh for every rule of every replace), in one array map that every
 * hook's program of the table shares. Each bucket starts as limit_mt_check leaves it: full credit,
 * and prev = the jiffies of the moment the table is installed.
 *
 * <p>xt_rateinfo: u32 avg, burst; unsigned long prev; u32 credit, credit_cap, cost; a pointer. When
 * the rule's own cost is 0 (what iptables sends) the kernel sets credit_cap to the full credit and
 * cost to one packet's worth; otherwise it keeps the rule's credit_cap and cost.
 */
public final class LimitBuckets {
  /** The bucket map's index in every program's fd_array (after the lookup map). */
  public static final int MAP_INDEX = 1;

  /** A bucket: struct bpf_spin_lock (u32), u32 credit, u64 prev (jiffies). */
  public static final int VALUE_SIZE = 16;

  public static final int CREDIT = 4;
  public static final int PREV = 8;

  static final long XT_LIMIT_SCALE = 10000;

  /** One limit match's constants. */
  record Rate(long credit, long cap, long cost) {}

  private final List<Rate> rates;
  private final Map<Long, Integer> slots;
  private final int hz;

  private LimitBuckets(List<Rate> rates, Map<Long, Integer> slots, int hz) {
    this.rates = rates;
    this.slots = slots;
    this.hz = hz;
  }

  /** No limit matches. */
  public static final LimitBuckets NONE = new LimitBuckets(List.of(), Map.of(), 0);

  /** The buckets of every limit match of {@code table}, in entry order; {@code hz}: CONFIG_HZ. */
  static LimitBuckets of(FilterTable table, int hz) throws Refusal {
    List<Rate> rates = new ArrayList<>();
    Map<Long, Integer> slots = new HashMap<>();
    for (int i = 0; i < table.size(); i++) {
      IptEntry en = table.entry(i);
      int ordinal = 0;
      for (XtEntryMatch m : en.matches()) {
        if (m.name().equals("limit")) {
          if (hz <= 0) {
            throw new Refusal("limit: the kernel's CONFIG_HZ is unknown (no /proc/config.gz)");
          }
          slots.put(key(i, ordinal++), rates.size());
          rates.add(rate(Abi.wrap(m.data()), hz));
        }
      }
    }
    return rates.isEmpty() ? NONE : new LimitBuckets(List.copyOf(rates), slots, hz);
  }

  private static long key(int entry, int ordinal) {
    return ((long) entry << 32) | ordinal;
  }

  /** The bucket of the {@code ordinal}th limit match of entry {@code entry}. */
  int slot(int entry, int ordinal) {
    return slots.get(key(entry, ordinal));
  }

  Rate rate(int slot) {
    return rates.get(slot);
  }

  public int size() {
    return rates.size();
  }

  /** The full credit each bucket starts with, by slot. */
  public long credit(int slot) {
    return rates.get(slot).credit();
  }

  /** CONFIG_HZ the constants were computed with. */
  public int hz() {
    return hz;
  }

  static Rate rate(ByteBuffer d, int hz) {
    long avg = Integer.toUnsignedLong(d.getInt(0));
    long burst = Integer.toUnsignedLong(d.getInt(4));
    long credit = user2credits((avg * burst) & 0xffffffffL, hz);
    long cap = Integer.toUnsignedLong(d.getInt(20));
    long cost = Integer.toUnsignedLong(d.getInt(24));
    if (cost == 0) {
      cap = credit;
      cost = user2credits(avg, hz);
    }
    return new Rate(credit, cap, cost);
  }

  /** CREDITS_PER_JIFFY: the power of two below 2^32 / (HZ * one day). */
  static long creditsPerJiffy(int hz) {
    return Long.highestOneBit(0xFFFFFFFFL / (hz * 60L * 60 * 24));
  }

  /** user2credits, in the kernel's u32 arithmetic. */
  static long user2credits(long user, int hz) {
    long perSecond = hz * creditsPerJiffy(hz);
    if (user > 0xFFFFFFFFL / perSecond) {
      return ((user / XT_LIMIT_SCALE) * perSecond) & 0xffffffffL;
    }
    return ((user * perSecond) & 0xffffffffL) / XT_LIMIT_SCALE;
  }
}

package bpfilterctl.core.umh.tables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptGetinfo;
import bpfilterctl.core.uapi.XtCounters;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One live table: its checked entries (never modified once in place) and its counters, one pair per
 * entry in entry order: what SET_ADD_COUNTERS added, plus, for an enforced table, the traffic its
 * programs counted.
 */
final class Table {
  private final String name;
  private final int validHooks;
  private final TranslatedTable entries;
  private final long[] pcnt;
  private final long[] bcnt;
  private Supplier<List<XtCounters>> traffic = List::of;

  Table(String name, int validHooks, TranslatedTable entries) {
    this.name = name;
    this.validHooks = validHooks;
    this.entries = entries;
    this.pcnt = new long[entries.number()];
    this.bcnt = new long[entries.number()];
  }

  /** Where this table's traffic counters come from once it is enforced. */
  void countTraffic(Supplier<List<XtCounters>> source) {
    this.traffic = source;
  }

  String name() {
    return name;
  }

  int validHooks() {
    return validHooks;
  }

  int number() {
    return entries.number();
  }

  int size() {
    return entries.entries().length;
  }

  TranslatedTable entries() {
    return entries;
  }

  /** Every entry's counters: added plus traffic. */
  List<XtCounters> counters() {
    return counters(traffic.get());
  }

  /** Every entry's counters with {@code counted} (per entry, possibly empty) as the traffic. */
  List<XtCounters> counters(List<XtCounters> counted) {
    List<XtCounters> out = new ArrayList<>(number());
    for (int i = 0; i < number(); i++) {
      long p = pcnt[i];
      long b = bcnt[i];
      if (i < counted.size()) {
        p += counted.get(i).pcnt();
        b += counted.get(i).bcnt();
      }
      out.add(new XtCounters(p, b));
    }
    return out;
  }

  IptGetinfo info() {
    return new IptGetinfo(
        name, validHooks, entries.hookEntry(), entries.underflow(), number(), size());
  }

  /** The counters packed as SET_REPLACE hands them back: pcnt, bcnt per entry. */
  byte[] packedCounters() {
    return pack(counters());
  }

  /** Packed, with the final traffic of a table that is no longer enforced. */
  byte[] packedCounters(List<XtCounters> finalTraffic) {
    return pack(counters(finalTraffic));
  }

  private byte[] pack(List<XtCounters> counters) {
    ByteBuffer b = Abi.allocate(number() * XtCounters.SIZE);
    for (int i = 0; i < number(); i++) {
      counters.get(i).encode(b, i * XtCounters.SIZE);
    }
    return b.array();
  }

  /** Keeps {@code counted} (per entry) as added counters: the final traffic of an enforcement. */
  void absorbTraffic(List<XtCounters> counted) {
    for (int i = 0; i < Math.min(number(), counted.size()); i++) {
      pcnt[i] += counted.get(i).pcnt();
      bcnt[i] += counted.get(i).bcnt();
    }
  }

  /** Adds {@code number()} packed counters starting at {@code at} (ADD_COUNTER, wrapping). */
  void addCounters(ByteBuffer b, int at) {
    for (int i = 0; i < number(); i++) {
      XtCounters c = XtCounters.decode(b, at + i * XtCounters.SIZE);
      pcnt[i] += c.pcnt();
      bcnt[i] += c.bcnt();
    }
  }
}

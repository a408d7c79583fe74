package bpfilterctl.core.umh.tables;

import bpfilterctl.core.abi.Abi;
import bpfilterctl.core.abi.IptGetinfo;
import bpfilterctl.core.abi.XtCounters;
import java.nio.ByteBuffer;

/**
 * One live table: its checked entries (never modified once in place) and its counters, one pair per
 * entry in entry order (the only mutable part, changed by SET_ADD_COUNTERS).
 */
final class Table {
  private final String name;
  private final int validHooks;
  private final TranslatedTable entries;
  private final long[] pcnt;
  private final long[] bcnt;

  Table(String name, int validHooks, TranslatedTable entries) {
    this.name = name;
    this.validHooks = validHooks;
    this.entries = entries;
    this.pcnt = new long[entries.number()];
    this.bcnt = new long[entries.number()];
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

  XtCounters counter(int i) {
    return new XtCounters(pcnt[i], bcnt[i]);
  }

  IptGetinfo info() {
    return new IptGetinfo(
        name, validHooks, entries.hookEntry(), entries.underflow(), number(), size());
  }

  /** The counters packed as SET_REPLACE hands them back: pcnt, bcnt per entry. */
  byte[] packedCounters() {
    ByteBuffer b = Abi.allocate(number() * XtCounters.SIZE);
    for (int i = 0; i < number(); i++) {
      counter(i).encode(b, i * XtCounters.SIZE);
    }
    return b.array();
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

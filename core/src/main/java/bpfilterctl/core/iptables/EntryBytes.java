package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.IptEntry;

/**
 * Where the encoding of an entry a table was read with can be copied from, instead of encoding it
 * again: a commit of 50,000 rules sends back mostly the entries it read.
 */
@FunctionalInterface
public interface EntryBytes {
  /** Nothing is known: every entry is encoded. */
  EntryBytes NONE = (entry, into, at) -> false;

  /**
   * Copies the bytes {@code entry.encode} would write ({@code entry.nextOffset()} of them) into
   * {@code into} at {@code at} and says true, or says false and copies nothing.
   */
  boolean copy(IptEntry entry, byte[] into, int at);
}

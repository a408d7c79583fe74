package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.IptIp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One match's or target's data while it is parsed or printed: the struct bytes (little endian,
 * exactly {@link XtExtension#dataSize()} long when parsing, the blob's data when printing), the
 * rule's ipt_ip, the table, the ids of the options seen so far ({@code xflags}), and the lookups
 * for services and protocols. Not shared between rules.
 */
public final class ExtData {
  private final ByteBuffer data;
  private IptIp ip;
  private final String table;
  private final Lookups lookups;
  private java.util.function.Consumer<String> warnings = w -> {};
  private int seen;
  private int scratch;

  public ExtData(byte[] bytes, IptIp ip, String table, Lookups lookups) {
    this.data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    this.ip = ip;
    this.table = table;
    this.lookups = lookups;
  }

  /** The struct, little endian, position 0; absolute gets and puts. */
  public ByteBuffer data() {
    return data;
  }

  /** The bytes as they go into the blob (the backing array, not a copy). */
  public byte[] bytes() {
    return data.array();
  }

  public IptIp ip() {
    return ip;
  }

  /**
   * The front-end updates the ipt_ip while it parses (as iptables' extensions see the live rule):
   * -p after -m still counts at the final check.
   */
  public void ip(IptIp current) {
    this.ip = current;
  }

  /** Where a warning goes (iptables prints it on stderr and goes on). */
  public void warnings(java.util.function.Consumer<String> sink) {
    this.warnings = sink;
  }

  /** A warning about an accepted option, as iptables prints one on stderr. */
  public void warn(String text) {
    warnings.accept(text);
  }

  public String table() {
    return table;
  }

  public Lookups lookups() {
    return lookups;
  }

  /** Bitmask of the option ids parsed so far (libxtables' cb->xflags). */
  public int seen() {
    return seen;
  }

  public boolean seen(int id) {
    return (seen & (1 << id)) != 0;
  }

  public void markSeen(int id) {
    seen |= 1 << id;
  }

  /** Free for an extension's own parse-time flags (libxtables' cb->udata or static flags). */
  public int scratch() {
    return scratch;
  }

  public void scratch(int value) {
    scratch = value;
  }
}

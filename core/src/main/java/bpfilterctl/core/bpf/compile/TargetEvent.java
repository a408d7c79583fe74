package bpfilterctl.core.bpf.compile;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One packet a REJECT or LOG rule handed to the umh through the ring buffer, as the program writes
 * it (little-endian):
 *
 * <pre>
 *   0 u8 kind (1 REJECT, 2 LOG)   1 u8 hook   2 u8 reject-with or log level
 *   3 u8 log flags, or for REJECT skb->ip_summed | skb->csum_valid << 2
 *   4 u32 rule index   8 u32 skb->len   12 u32 skb->mark
 *  16 in device name[16]   32 out device name[16]   48 log prefix[32]
 *  80 u32 bytes captured   84 u16 MAC header length   86 u16 input device type
 *  88 MAC header[16]
 * 104 u32 uid   108 u32 gid (0xffffffff: no socket)
 * 112 u64 the nf_conn's status (0 without one)
 * 120 u8 ctinfo (skb->_nfct's low 3 bits) | 8 when an nf_conn is attached
 * 128 packet from its IP header[576]
 * </pre>
 *
 * @param conntrack the packet's ctinfo, with bit 3 set when it has an nf_conn (what REJECT's reply
 *     is related to: {@link ReplyConntrack})
 * @param ctStatus the status of the packet's nf_conn, 0 without one
 * @param packet the first bytes of the packet from its IP header (at most {@link #DATA_MAX})
 */
public record TargetEvent(
    int kind,
    int hook,
    int param,
    int flags,
    int rule,
    int skbLen,
    int mark,
    String in,
    String out,
    String prefix,
    byte[] mac,
    int devType,
    long uid,
    long gid,
    int conntrack,
    long ctStatus,
    byte[] packet) {
  public static final int REJECT = 1;
  public static final int LOG = 2;

  static final int OFF_LEN = 8;
  static final int OFF_MARK = 12;
  static final int OFF_IN = 16;
  static final int OFF_OUT = 32;
  static final int OFF_PREFIX = 48;
  static final int OFF_CAPTURED = 80;
  static final int OFF_MAC_LEN = 84;
  static final int OFF_DEV_TYPE = 86;
  static final int OFF_MAC = 88;
  static final int MAC_MAX = 16;
  static final int OFF_UID = 104;
  static final int OFF_GID = 108;
  static final int OFF_CT_STATUS = 112;
  static final int OFF_CT = 120;
  static final int OFF_DATA = 128;

  /** In {@link #conntrack()}: the packet has an nf_conn; the low 3 bits are its ctinfo. */
  public static final int HAS_CONNTRACK = 8;

  /**
   * Enough for an ICMP error's quote of the packet: 576 bytes less its own IP and ICMP headers
   * (icmp_send), and for LOG's IP and TCP headers with options.
   */
  public static final int DATA_MAX = 576;

  public static final int SIZE = OFF_DATA + DATA_MAX;

  /** Decodes a record; throws IllegalArgumentException when it is too short. */
  public static TargetEvent decode(byte[] r) {
    if (r.length < OFF_DATA) {
      throw new IllegalArgumentException("target event of " + r.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
    int captured = Math.min(b.getInt(OFF_CAPTURED), Math.min(DATA_MAX, r.length - OFF_DATA));
    int macLen = Math.min(b.getShort(OFF_MAC_LEN) & 0xffff, MAC_MAX);
    return new TargetEvent(
        r[0] & 0xff,
        r[1] & 0xff,
        r[2] & 0xff,
        r[3] & 0xff,
        b.getInt(4),
        b.getInt(OFF_LEN),
        b.getInt(OFF_MARK),
        cString(r, OFF_IN, 16),
        cString(r, OFF_OUT, 16),
        cString(r, OFF_PREFIX, 32),
        Arrays.copyOfRange(r, OFF_MAC, OFF_MAC + macLen),
        b.getShort(OFF_DEV_TYPE) & 0xffff,
        Integer.toUnsignedLong(b.getInt(OFF_UID)),
        Integer.toUnsignedLong(b.getInt(OFF_GID)),
        r[OFF_CT] & 0xf,
        b.getLong(OFF_CT_STATUS),
        Arrays.copyOfRange(r, OFF_DATA, OFF_DATA + Math.max(0, captured)));
  }

  private static String cString(byte[] r, int at, int max) {
    int end = at;
    while (end < at + max && r[end] != 0) {
      end++;
    }
    return new String(r, at, end - at, StandardCharsets.ISO_8859_1);
  }
}

package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.compile.TargetEvent;
import java.util.Optional;

/**
 * The reply the kernel's REJECT sends for a packet (ipt_REJECT through nf_reject_ipv4's
 * nf_send_unreach and nf_send_reset), built from what the program captured, or none where the
 * kernel sends none: a fragment past the first, a destination that is multicast or the limited
 * broadcast, an ICMP error (or unknown ICMP type) answered with ICMP, a RST answered with RST, a
 * header cut short, a bad transport checksum the kernel would have verified (nf_ip_checksum: a
 * packet whose checksum no one checked yet; verified here when the whole packet was captured).
 */
public final class RejectReply {
  /** enum ipt_reject_with. */
  public static final int NET_UNREACHABLE = 0;

  public static final int HOST_UNREACHABLE = 1;
  public static final int PROT_UNREACHABLE = 2;
  public static final int PORT_UNREACHABLE = 3;
  public static final int ECHOREPLY = 4;
  public static final int NET_PROHIBITED = 5;
  public static final int HOST_PROHIBITED = 6;
  public static final int TCP_RESET = 7;
  public static final int ADMIN_PROHIBITED = 8;

  private static final int LOCAL_IN = 1;

  /** skb->ip_summed. */
  private static final int CHECKSUM_NONE = 0;

  private static final int CHECKSUM_UNNECESSARY = 1;
  private static final int CHECKSUM_COMPLETE = 2;
  private static final int CHECKSUM_PARTIAL = 3;

  /** icmp_send: the error, with its IP header, fits in 576 bytes. */
  private static final int ICMP_ROOM = 576 - 20 - 8;

  private RejectReply() {}

  /** The reply as a whole IPv4 packet (checksums filled), sent with {@code ttl}. */
  public static Optional<byte[]> build(TargetEvent ev, int ttl) {
    byte[] p = ev.packet();
    if (p.length < 20 || (p[0] & 0xf0) != 0x40) {
      return Optional.empty();
    }
    int ihl = (p[0] & 0x0f) * 4;
    if (ihl < 20 || (u16(p, 6) & 0x1fff) != 0 || !unicast(p, 16)) {
      return Optional.empty();
    }
    return switch (ev.param()) {
      case TCP_RESET -> reset(ev, p, ihl, ttl);
      case NET_UNREACHABLE -> unreach(ev, p, ihl, 0, ttl);
      case HOST_UNREACHABLE -> unreach(ev, p, ihl, 1, ttl);
      case PROT_UNREACHABLE -> unreach(ev, p, ihl, 2, ttl);
      case PORT_UNREACHABLE -> unreach(ev, p, ihl, 3, ttl);
      case NET_PROHIBITED -> unreach(ev, p, ihl, 9, ttl);
      case HOST_PROHIBITED -> unreach(ev, p, ihl, 10, ttl);
      case ADMIN_PROHIBITED -> unreach(ev, p, ihl, 13, ttl);
      default -> Optional.empty(); // ECHOREPLY: refused at checkentry
    };
  }

  /** Not multicast (224/4), not 255.255.255.255, not 0.0.0.0. */
  private static boolean unicast(byte[] p, int at) {
    int first = p[at] & 0xff;
    long a = u32(p, at);
    return first < 224 && a != 0;
  }

  /** nf_send_reset: a bare RST (with ACK when the packet had none) from the packet's target. */
  private static Optional<byte[]> reset(TargetEvent ev, byte[] p, int ihl, int ttl) {
    if ((p[9] & 0xff) != 6 || p.length < ihl + 20) {
      return Optional.empty();
    }
    int th = ihl;
    int flags = p[th + 13] & 0xff;
    if ((flags & 0x04) != 0) {
      return Optional.empty(); // no RST for a RST
    }
    if (badChecksum(ev, p, ihl)) {
      return Optional.empty();
    }
    byte[] r = new byte[40];
    ipHeader(r, 6, 0, 0x4000, ttl, p, 12, p, 16);
    put16(r, 20, u16(p, th + 2));
    put16(r, 22, u16(p, th));
    int rflags = 0x04;
    if ((flags & 0x10) != 0) {
      put32(r, 24, u32(p, th + 8)); // seq = the packet's ack
    } else {
      int doff = (p[th + 12] & 0xf0) >> 2;
      long ack =
          u32(p, th + 4)
              + ((flags & 0x02) != 0 ? 1 : 0)
              + (flags & 0x01)
              + Integer.toUnsignedLong(ev.skbLen())
              - ihl
              - doff;
      put32(r, 28, ack & 0xffffffffL);
      rflags |= 0x10;
    }
    r[32] = 0x50;
    r[33] = (byte) rflags;
    put16(r, 36, transportChecksum(r, 20, 20, 6));
    return Optional.of(r);
  }

  /** nf_send_unreach through icmp_send: destination unreachable quoting the packet. */
  private static Optional<byte[]> unreach(TargetEvent ev, byte[] p, int ihl, int code, int ttl) {
    if ((p[9] & 0xff) == 1) {
      if (p.length < ihl + 1) {
        return Optional.empty();
      }
      int type = p[ihl] & 0xff;
      if (type > 18 || isError(type)) {
        return Optional.empty(); // no error about an error
      }
    }
    boolean unnecessary =
        summed(ev) == CHECKSUM_UNNECESSARY
            || summed(ev) == CHECKSUM_PARTIAL
            || (ev.flags() & 0x04) != 0; // csum_valid
    if (!unnecessary && verifiable(p, ihl) && badChecksum(ev, p, ihl)) {
      return Optional.empty();
    }
    int quote = Math.min(Math.min(p.length, ev.skbLen()), ICMP_ROOM);
    byte[] r = new byte[20 + 8 + quote];
    int tos = ((p[1] & 0xff) & 0x1e) | 0xc0; // RT_TOS | IPTOS_PREC_INTERNETCONTROL
    // To a packet for this host, from its destination; else the source routing picks (0).
    byte[] zero = new byte[4];
    boolean local = ev.hook() == LOCAL_IN;
    ipHeader(r, 1, tos, 0, ttl, p, 12, local ? p : zero, local ? 16 : 0);
    r[20] = 3;
    r[21] = (byte) code;
    System.arraycopy(p, 0, r, 28, quote);
    put16(r, 22, checksum(r, 20, r.length - 20, 0));
    return Optional.of(r);
  }

  private static int summed(TargetEvent ev) {
    return ev.flags() & 3;
  }

  /**
   * nf_reject_verify_csum: false for protocols without a 16-bit one's complement sum over their
   * whole payload (UDP without one, GRE, AH, ESP, SCTP, UDP-Lite, DCCP).
   */
  private static boolean verifiable(byte[] p, int ihl) {
    return switch (p[9] & 0xff) {
      case 17 -> p.length < ihl + 8 || u16(p, ihl + 6) != 0;
      case 47, 51, 50, 132, 136, 33 -> false;
      default -> true;
    };
  }

  /**
   * nf_ip_checksum for the event's hook: a packet nobody verified (CHECKSUM_NONE, or
   * CHECKSUM_COMPLETE at LOCAL_IN) whose sum fails. A packet longer than the capture cannot be
   * summed here and counts as good.
   */
  private static boolean badChecksum(TargetEvent ev, byte[] p, int ihl) {
    int s = summed(ev);
    if (s != CHECKSUM_NONE && !(s == CHECKSUM_COMPLETE && ev.hook() == LOCAL_IN)) {
      return false;
    }
    int len = ev.skbLen() - ihl;
    if (ev.skbLen() > p.length || len < 0) {
      return false;
    }
    int proto = p[9] & 0xff;
    long sum = 0;
    if (proto == 6 || proto == 17) {
      sum = u16(p, 12) + u16(p, 14) + u16(p, 16) + u16(p, 18) + proto + len;
    }
    return checksum(p, ihl, len, sum) != 0;
  }

  /** icmp_pointers[type].error: the types an ICMP error is never sent about. */
  private static boolean isError(int type) {
    return switch (type) {
      case 1, 2, 3, 4, 5, 7, 11, 12 -> true;
      default -> false;
    };
  }

  /** IPv4 header without options: version 4, ihl 5, id 0, addresses copied from the arrays. */
  private static void ipHeader(
      byte[] r,
      int proto,
      int tos,
      int fragOff,
      int ttl,
      byte[] daddr,
      int daddrAt,
      byte[] saddr,
      int saddrAt) {
    r[0] = 0x45;
    r[1] = (byte) tos;
    put16(r, 2, r.length);
    put16(r, 6, fragOff);
    r[8] = (byte) ttl;
    r[9] = (byte) proto;
    System.arraycopy(saddr, saddrAt, r, 12, 4);
    System.arraycopy(daddr, daddrAt, r, 16, 4);
    put16(r, 10, checksum(r, 0, 20, 0));
  }

  private static int transportChecksum(byte[] r, int at, int len, int proto) {
    long sum = u16(r, 12) + u16(r, 14) + u16(r, 16) + u16(r, 18) + proto + len;
    return checksum(r, at, len, sum);
  }

  /** The Internet checksum of {@code len} bytes from {@code at}, starting from {@code sum}. */
  static int checksum(byte[] b, int at, int len, long sum) {
    for (int i = 0; i + 1 < len; i += 2) {
      sum += u16(b, at + i);
    }
    if ((len & 1) != 0) {
      sum += (b[at + len - 1] & 0xff) << 8;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }

  private static int u16(byte[] b, int at) {
    return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
  }

  private static long u32(byte[] b, int at) {
    return ((long) u16(b, at) << 16) | u16(b, at + 2);
  }

  private static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
  }

  private static void put32(byte[] b, int at, long v) {
    put16(b, at, (int) (v >> 16) & 0xffff);
    put16(b, at + 2, (int) v & 0xffff);
  }
}

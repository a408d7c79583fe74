package bpfilterctl.core.bpf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Crafted IPv4 packets for test runs (checksums left zero: nothing on these paths checks them). */
public final class Packets {
  static final int ICMP = 1;
  static final int TCP = 6;
  static final int UDP = 17;

  private Packets() {}

  /** An IPv4 header of 20 bytes and the payload. {@code fragField} is the host-order frag_off. */
  static byte[] ip(int src, int dst, int proto, int fragField, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(20 + payload.length).order(ByteOrder.BIG_ENDIAN);
    b.put(0, (byte) 0x45);
    b.putShort(2, (short) (20 + payload.length));
    b.putShort(6, (short) fragField);
    b.put(8, (byte) 64);
    b.put(9, (byte) proto);
    b.putInt(12, src);
    b.putInt(16, dst);
    b.put(20, payload);
    return b.array();
  }

  public static byte[] udp(int src, int dst, int sport, int dport) {
    ByteBuffer u = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN);
    u.putShort(0, (short) sport).putShort(2, (short) dport).putShort(4, (short) 12);
    return ip(src, dst, UDP, 0, u.array());
  }

  static byte[] tcp(int src, int dst, int sport, int dport, int flags) {
    ByteBuffer t = ByteBuffer.allocate(20).order(ByteOrder.BIG_ENDIAN);
    t.putShort(0, (short) sport).putShort(2, (short) dport);
    t.put(12, (byte) 0x50);
    t.put(13, (byte) flags);
    return ip(src, dst, TCP, 0, t.array());
  }

  static byte[] icmp(int src, int dst, int type, int code) {
    byte[] p = new byte[8];
    p[0] = (byte) type;
    p[1] = (byte) code;
    return ip(src, dst, ICMP, 0, p);
  }

  /** 10.0.0.N style addresses. */
  public static int addr(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }

  /** What BPF_PROG_TEST_RUN wants for a hook: an Ethernet header first except at LOCAL_OUT. */
  static byte[] frame(int hook, byte[] ipPacket) {
    if (hook == 3) {
      return ipPacket;
    }
    byte[] f = new byte[14 + ipPacket.length];
    f[12] = 0x08; // ETH_P_IP
    System.arraycopy(ipPacket, 0, f, 14, ipPacket.length);
    return f;
  }
}

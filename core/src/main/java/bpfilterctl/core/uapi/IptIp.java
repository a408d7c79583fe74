package bpfilterctl.core.uapi;

import java.nio.ByteBuffer;

/**
 * struct ipt_ip, 84 bytes: what an entry matches before its matches run. Addresses are host-order
 * ints (10.0.0.1 is 0x0a000001); the interface masks are 16 bytes each.
 */
public record IptIp(
    int src,
    int dst,
    int smsk,
    int dmsk,
    String iniface,
    String outiface,
    byte[] inifaceMask,
    byte[] outifaceMask,
    int proto,
    int flags,
    int invflags) {
  public static final int SIZE = 84;
  public static final int IFNAMSIZ = 16;
  public static final int OFF_SRC = 0;
  public static final int OFF_DST = 4;
  public static final int OFF_SMSK = 8;
  public static final int OFF_DMSK = 12;
  public static final int OFF_INIFACE = 16;
  public static final int OFF_OUTIFACE = 32;
  public static final int OFF_INIFACE_MASK = 48;
  public static final int OFF_OUTIFACE_MASK = 64;
  public static final int OFF_PROTO = 80;
  public static final int OFF_FLAGS = 82;
  public static final int OFF_INVFLAGS = 83;

  /** IPT_F_FRAG: the rule matches second and later fragments only. */
  public static final int F_FRAG = 0x01;

  /** IPT_F_GOTO: the rule's jump is a goto (no return to this chain). */
  public static final int F_GOTO = 0x02;

  /** IPT_INV_*: which tests of the entry are inverted ({@code !}). */
  public static final int INV_VIA_IN = 0x01;

  public static final int INV_VIA_OUT = 0x02;
  public static final int INV_TOS = 0x04;
  public static final int INV_SRCIP = 0x08;
  public static final int INV_DSTIP = 0x10;
  public static final int INV_FRAG = 0x20;
  public static final int INV_PROTO = 0x40;

  /** IPT_F_MASK: the flag bits the kernel accepts (IPT_F_FRAG, IPT_F_GOTO). */
  public static final int FLAGS_MASK = 0x03;

  /** IPT_INV_MASK: the inversion bits the kernel accepts. */
  public static final int INVFLAGS_MASK = 0x7f;

  /** Matches every packet: the ipt_ip of a policy or of an unconditional rule. */
  public static final IptIp ANY =
      new IptIp(0, 0, 0, 0, "", "", new byte[IFNAMSIZ], new byte[IFNAMSIZ], 0, 0, 0);

  public IptIp {
    if (inifaceMask.length != IFNAMSIZ || outifaceMask.length != IFNAMSIZ) {
      throw new IllegalArgumentException("interface masks are " + IFNAMSIZ + " bytes");
    }
    inifaceMask = inifaceMask.clone();
    outifaceMask = outifaceMask.clone();
  }

  @Override
  public byte[] inifaceMask() {
    return inifaceMask.clone();
  }

  @Override
  public byte[] outifaceMask() {
    return outifaceMask.clone();
  }

  /** This ipt_ip with another source address and mask (host order). */
  public IptIp withSource(int addr, int mask) {
    return new IptIp(
        addr,
        dst,
        mask,
        dmsk,
        iniface,
        outiface,
        inifaceMask,
        outifaceMask,
        proto,
        flags,
        invflags);
  }

  /** This ipt_ip with another destination address and mask (host order). */
  public IptIp withDestination(int addr, int mask) {
    return new IptIp(
        src,
        addr,
        smsk,
        mask,
        iniface,
        outiface,
        inifaceMask,
        outifaceMask,
        proto,
        flags,
        invflags);
  }

  /** This ipt_ip with another input interface name and its mask. */
  public IptIp withInIface(String name, byte[] mask) {
    return new IptIp(
        src, dst, smsk, dmsk, name, outiface, mask, outifaceMask, proto, flags, invflags);
  }

  /** This ipt_ip with another output interface name and its mask. */
  public IptIp withOutIface(String name, byte[] mask) {
    return new IptIp(
        src, dst, smsk, dmsk, iniface, name, inifaceMask, mask, proto, flags, invflags);
  }

  public IptIp withProto(int p) {
    return new IptIp(
        src, dst, smsk, dmsk, iniface, outiface, inifaceMask, outifaceMask, p, flags, invflags);
  }

  /** This ipt_ip with other IPT_F_* flags and IPT_INV_* inversion bits. */
  public IptIp withFlags(int f, int inv) {
    return new IptIp(
        src, dst, smsk, dmsk, iniface, outiface, inifaceMask, outifaceMask, proto, f, inv);
  }

  public static IptIp decode(ByteBuffer b, int at) {
    byte[] im = new byte[IFNAMSIZ];
    byte[] om = new byte[IFNAMSIZ];
    b.get(at + OFF_INIFACE_MASK, im);
    b.get(at + OFF_OUTIFACE_MASK, om);
    return new IptIp(
        Integer.reverseBytes(b.getInt(at + OFF_SRC)),
        Integer.reverseBytes(b.getInt(at + OFF_DST)),
        Integer.reverseBytes(b.getInt(at + OFF_SMSK)),
        Integer.reverseBytes(b.getInt(at + OFF_DMSK)),
        FixedName.read(b, at + OFF_INIFACE, IFNAMSIZ),
        FixedName.read(b, at + OFF_OUTIFACE, IFNAMSIZ),
        im,
        om,
        Short.toUnsignedInt(b.getShort(at + OFF_PROTO)),
        Byte.toUnsignedInt(b.get(at + OFF_FLAGS)),
        Byte.toUnsignedInt(b.get(at + OFF_INVFLAGS)));
  }

  public void encode(ByteBuffer b, int at) {
    // Addresses are in network order inside a little-endian struct.
    b.putInt(at + OFF_SRC, Integer.reverseBytes(src));
    b.putInt(at + OFF_DST, Integer.reverseBytes(dst));
    b.putInt(at + OFF_SMSK, Integer.reverseBytes(smsk));
    b.putInt(at + OFF_DMSK, Integer.reverseBytes(dmsk));
    FixedName.write(b, at + OFF_INIFACE, iniface, IFNAMSIZ);
    FixedName.write(b, at + OFF_OUTIFACE, outiface, IFNAMSIZ);
    b.put(at + OFF_INIFACE_MASK, inifaceMask);
    b.put(at + OFF_OUTIFACE_MASK, outifaceMask);
    b.putShort(at + OFF_PROTO, (short) proto);
    b.put(at + OFF_FLAGS, (byte) flags);
    b.put(at + OFF_INVFLAGS, (byte) invflags);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IptIp x
        && src == x.src
        && dst == x.dst
        && smsk == x.smsk
        && dmsk == x.dmsk
        && iniface.equals(x.iniface)
        && outiface.equals(x.outiface)
        && java.util.Arrays.equals(inifaceMask, x.inifaceMask)
        && java.util.Arrays.equals(outifaceMask, x.outifaceMask)
        && proto == x.proto
        && flags == x.flags
        && invflags == x.invflags;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(src, dst, iniface, outiface, proto, flags, invflags);
  }
}

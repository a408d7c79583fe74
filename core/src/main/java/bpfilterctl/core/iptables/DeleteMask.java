package bpfilterctl.core.iptables;

import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.IptIp;
import bpfilterctl.core.uapi.XtEntryMatch;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Which bytes tell two rules apart for -D, -C and -R by spec: iptables' make_delete_mask with
 * libiptc's is_same. The ipt_ip part is compared whole (interfaces under their masks), each match
 * by size, name and its first {@code userspacesize} data bytes, the target likewise.
 *
 * @param matchUserSizes the userspacesize of each match of the rule typed, in order
 * @param targetUserSize the target's userspacesize (unused for standard targets)
 */
public record DeleteMask(List<Integer> matchUserSizes, int targetUserSize) {
  public DeleteMask {
    matchUserSizes = List.copyOf(matchUserSizes);
  }

  /** is_same: {@code a} is the rule typed, {@code b} one in the chain. */
  boolean same(IptEntry a, IptEntry b) {
    if (!sameIp(a.ip(), b.ip())
        || a.targetOffset() != b.targetOffset()
        || a.nextOffset() != b.nextOffset()) {
      return false;
    }
    List<XtEntryMatch> am = a.matches();
    List<XtEntryMatch> bm = b.matches();
    for (int i = 0; i < am.size(); i++) {
      if (i >= bm.size()) {
        return false;
      }
      XtEntryMatch x = am.get(i);
      XtEntryMatch y = bm.get(i);
      int userSize = i < matchUserSizes.size() ? matchUserSizes.get(i) : x.data().length;
      if (x.size() != y.size()
          || !x.name().equals(y.name())
          || !samePrefix(x.data(), y.data(), userSize)) {
        return false;
      }
    }
    return true;
  }

  boolean sameTarget(XtEntryTarget a, XtEntryTarget b) {
    return a.size() == b.size()
        && a.name().equals(b.name())
        && samePrefix(a.data(), b.data(), targetUserSize);
  }

  private static boolean samePrefix(byte[] x, byte[] y, int n) {
    int len = Math.min(n, Math.min(x.length, y.length));
    for (int i = 0; i < len; i++) {
      if (x[i] != y[i]) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameIp(IptIp a, IptIp b) {
    ByteBuffer x = Abi.allocate(IptIp.SIZE);
    ByteBuffer y = Abi.allocate(IptIp.SIZE);
    a.encode(x, 0);
    b.encode(y, 0);
    if (a.src() != b.src()
        || a.dst() != b.dst()
        || a.smsk() != b.smsk()
        || a.dmsk() != b.dmsk()
        || a.proto() != b.proto()
        || a.flags() != b.flags()
        || a.invflags() != b.invflags()) {
      return false;
    }
    for (int i = 0; i < IptIp.IFNAMSIZ; i++) {
      if (!sameUnderMask(x, y, IptIp.OFF_INIFACE + i, IptIp.OFF_INIFACE_MASK + i)
          || !sameUnderMask(x, y, IptIp.OFF_OUTIFACE + i, IptIp.OFF_OUTIFACE_MASK + i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameUnderMask(ByteBuffer x, ByteBuffer y, int name, int mask) {
    byte m = x.get(mask);
    return m == y.get(mask) && (x.get(name) & m) == (y.get(name) & m);
  }
}

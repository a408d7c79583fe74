package bpfilterctl.core.inspect;

import bpfilterctl.core.uapi.Hook;
import java.util.ArrayList;
import java.util.List;

/**
 * Names of the bit sets in the table structures: valid_hooks and comefrom (hooks), ipt_ip's flags
 * (IPT_F_*) and invflags (IPT_INV_*). A bit without a name is shown as its hex value, so that
 * nothing the umh sent is hidden.
 */
public final class Bits {
  /** IPT_F_GOTO: a standard target's jump is a goto (no return to the calling chain). */
  public static final int IPT_F_GOTO = 0x02;

  private static final String[] IP_FLAGS = {"FRAG", "GOTO"};
  private static final String[] INV_FLAGS = {
    "VIA_IN", "VIA_OUT", "TOS", "SRCIP", "DSTIP", "FRAG", "PROTO"
  };

  private Bits() {}

  /** valid_hooks or comefrom as hook names in hook order: 0x0e is INPUT, FORWARD, OUTPUT. */
  public static List<String> hooks(int mask) {
    String[] names = new String[Hook.values().length];
    for (Hook h : Hook.values()) {
      names[h.ordinal()] = h.name();
    }
    return names(mask, names);
  }

  public static List<String> ipFlags(int flags) {
    return names(flags, IP_FLAGS);
  }

  public static List<String> invFlags(int invflags) {
    return names(invflags, INV_FLAGS);
  }

  /** "INPUT,FORWARD" or "-" for none: for text output. */
  public static String joined(List<String> names) {
    return names.isEmpty() ? "-" : String.join(",", names);
  }

  private static List<String> names(int mask, String[] names) {
    List<String> out = new ArrayList<>();
    for (int bit = 0; bit < 32; bit++) {
      int v = 1 << bit;
      if ((mask & v) != 0) {
        out.add(bit < names.length ? names[bit] : String.format("0x%x", v));
      }
    }
    return out;
  }
}

package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * set revision 4 (libxt_set.c): struct xt_set_info_match_v4 { xt_set_info match_set {u16 index; u8
 * dim, flags}; ip_set_counter_match packets, bytes {u64 value; u8 op} at 8 and 24; u32 flags at 40
 * }, 48 bytes.
 *
 * <p>iptables asks the kernel's ipset for a set's index by name; there is no ipset behind bpfilter,
 * so every named set is unknown, as on a kernel without that set. Printing a blob shows the set's
 * index where iptables would show its name.
 */
public final class SetMatch extends AbstractXtExtension {
  static final int MAXNAMELEN = 32;
  static final int DIM_MAX = 6;
  static final int INV_MATCH = 1;
  static final int SKIP_COUNTER_UPDATE = 1 << 3;
  static final int SKIP_SUBCOUNTER_UPDATE = 1 << 4;
  static final int RETURN_NOMATCH = 1 << 7;
  static final int EQ = 1;
  static final int NE = 2;
  static final int LT = 3;
  static final int GT = 4;
  static final int PACKETS = 8;
  static final int BYTES = 24;
  static final int FLAGS = 40;

  private static final int OLD = XtOption.MULTI | XtOption.INVERT;

  public static final List<XtExtension> ALL = List.of(new SetMatch());

  private SetMatch() {
    super(
        ExtensionKind.MATCH,
        "set",
        4,
        48,
        List.of(
            XtOption.of("match-set", XtOptionType.STRING, 0, OLD | XtOption.NEXT_WORD),
            XtOption.of("set", XtOptionType.STRING, 1, OLD | XtOption.NEXT_WORD),
            XtOption.of("return-nomatch", XtOptionType.NONE, 2, OLD),
            XtOption.of("update-counters", XtOptionType.NONE, 3, OLD),
            XtOption.of("packets-eq", XtOptionType.STRING, 4, OLD),
            XtOption.of("packets-lt", XtOptionType.STRING, 5, OLD),
            XtOption.of("packets-gt", XtOptionType.STRING, 6, OLD),
            XtOption.of("bytes-eq", XtOptionType.STRING, 7, OLD),
            XtOption.of("bytes-lt", XtOptionType.STRING, 8, OLD),
            XtOption.of("bytes-gt", XtOptionType.STRING, 9, OLD),
            XtOption.of("update-subcounters", XtOptionType.NONE, 10, OLD)));
  }

  private static long counter(String s) throws RuleException {
    Long v = CNumbers.xtStrtoulStrict(s, 0, -1L);
    if (v == null) {
      throw RuleException.parameter("Cannot parse " + s + " as a counter value");
    }
    return v;
  }

  @Override
  public void parse(XtArg a, ExtData d) throws RuleException {
    ByteBuffer b = d.data();
    int flags = b.getInt(FLAGS);
    switch (a.id()) {
      case 0, 1 -> {
        // --set also warns on stderr that it is deprecated
        if (XtPrint.u8(b, 2) != 0) {
          throw RuleException.parameter("--match-set can be specified only once");
        }
        if (a.invert()) {
          b.put(3, (byte) (XtPrint.u8(b, 3) | INV_MATCH));
        }
        int nul = a.arg().indexOf('\0');
        if (nul < 0) {
          throw RuleException.parameter("--match-set requires two args.");
        }
        String name = a.arg().substring(0, nul);
        if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAXNAMELEN - 1) {
          throw RuleException.parameter(
              "setname `" + name + "' too long, max " + (MAXNAMELEN - 1) + " characters.");
        }
        throw RuleException.parameter("Set " + name + " doesn't exist.\n");
      }
      case 2 -> {
        if (a.invert()) {
          throw RuleException.parameter("--return-nomatch flag cannot be inverted");
        }
        flags |= RETURN_NOMATCH;
      }
      case 3 -> flags |= a.invert() ? SKIP_COUNTER_UPDATE : 0;
      case 10 -> flags |= a.invert() ? SKIP_SUBCOUNTER_UPDATE : 0;
      default -> {
        boolean packets = a.id() <= 6;
        int at = packets ? PACKETS : BYTES;
        String what = packets ? "packets" : "bytes";
        if (XtPrint.u8(b, at + 8) != 0) {
          throw RuleException.parameter("only one of the --" + what + "-[eq|lt|gt] is allowed");
        }
        int kind = (a.id() - 4) % 3;
        int op;
        if (kind == 0) {
          op = a.invert() ? NE : EQ;
        } else {
          if (a.invert()) {
            throw RuleException.parameter(
                "--" + what + (kind == 1 ? "-lt" : "-gt") + " option cannot be inverted");
          }
          op = kind == 1 ? LT : GT;
        }
        b.put(at + 8, (byte) op).putLong(at, counter(a.arg()));
      }
    }
    b.putInt(FLAGS, flags);
  }

  @Override
  public void finalCheck(ExtData d) throws RuleException {
    if (XtPrint.u8(d.data(), 2) == 0) {
      throw RuleException.parameter("You must specify `--match-set' with proper arguments");
    }
  }

  private static void counter(ByteBuffer b, int at, String name, String sep, StringBuilder out) {
    String v = Long.toUnsignedString(b.getLong(at));
    switch (XtPrint.u8(b, at + 8)) {
      case EQ -> out.append(' ').append(sep).append(name).append("-eq ").append(v);
      case NE -> out.append(" ! ").append(sep).append(name).append("-eq ").append(v);
      case LT -> out.append(' ').append(sep).append(name).append("-lt ").append(v);
      case GT -> out.append(' ').append(sep).append(name).append("-gt ").append(v);
      default -> {}
    }
  }

  private static void matchInfo(ByteBuffer b, String opt, String sep, StringBuilder out) {
    int setFlags = XtPrint.u8(b, 3);
    out.append((setFlags & INV_MATCH) != 0 ? " !" : "")
        .append(' ')
        .append(opt)
        .append(' ')
        .append(XtPrint.u16(b, 0));
    int dim = Math.min(XtPrint.u8(b, 2), DIM_MAX);
    for (int i = 1; i <= dim; i++) {
      out.append(i == 1 ? " " : ",").append((setFlags & (1 << i)) != 0 ? "src" : "dst");
    }
    int flags = b.getInt(FLAGS);
    if ((flags & RETURN_NOMATCH) != 0) {
      out.append(' ').append(sep).append("return-nomatch");
    }
    if ((flags & SKIP_COUNTER_UPDATE) != 0) {
      out.append(" ! ").append(sep).append("update-counters");
    }
    if ((flags & SKIP_SUBCOUNTER_UPDATE) != 0) {
      out.append(" ! ").append(sep).append("update-subcounters");
    }
    counter(b, PACKETS, "packets", sep, out);
    counter(b, BYTES, "bytes", sep, out);
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    matchInfo(d.data(), "match-set", "", out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    matchInfo(d.data(), "--match-set", "--", out);
  }
}

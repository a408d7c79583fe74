package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Matches that count: statistic, connlimit (revision 1) and connbytes (libxt_statistic.c,
 * libxt_connlimit.c, libxt_connbytes.c).
 */
public final class CounterMatches {
  private CounterMatches() {}

  public static final List<XtExtension> ALL =
      List.of(new Statistic(), new Connlimit(), new Connbytes());

  /**
   * xt_statistic_info { u16 mode, flags; union { u32 probability; u32 every, packet, count; };
   * kernel pointer at 16 }, 24 bytes.
   */
  static final class Statistic extends AbstractXtExtension {
    static final int RANDOM = 0;
    static final int NTH = 1;
    static final int INVERT = 1;
    static final int O_MODE = 0;
    static final int O_PROBABILITY = 1;
    static final int O_EVERY = 2;
    static final int O_PACKET = 3;

    Statistic() {
      super(
          ExtensionKind.MATCH,
          "statistic",
          0,
          24,
          List.of(
              XtOption.of("mode", XtOptionType.STRING, O_MODE, XtOption.MAND),
              XtOption.of("probability", XtOptionType.DOUBLE, O_PROBABILITY, XtOption.INVERT)
                  .withRange(0, 1)
                  .withExcl((1 << O_EVERY) | (1 << O_PACKET)),
              XtOption.of("every", XtOptionType.UINT32, O_EVERY, XtOption.INVERT)
                  .withRange(1, 0)
                  .withExcl(1 << O_PROBABILITY)
                  .withAlso(1 << O_PACKET),
              XtOption.of("packet", XtOptionType.UINT32, O_PACKET, 0)
                  .withExcl(1 << O_PROBABILITY)
                  .withAlso(1 << O_EVERY)));
    }

    @Override
    public int userSpaceSize() {
      return 16;
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      if (a.invert()) {
        b.putShort(2, (short) (b.getShort(2) | INVERT));
      }
      switch (a.id()) {
        case O_MODE -> {
          if (a.arg().equals("random")) {
            b.putShort(0, (short) RANDOM);
          } else if (a.arg().equals("nth")) {
            b.putShort(0, (short) NTH);
          } else {
            throw RuleException.parameter("Bad mode \"" + a.arg() + "\"");
          }
        }
        case O_PROBABILITY -> b.putInt(4, (int) Math.round(0x80000000L * a.dbl()));
        case O_EVERY -> b.putInt(4, (int) (a.val() - 1));
        default -> b.putInt(8, (int) a.val());
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      int mode = b.getShort(0);
      if (mode == RANDOM && !d.seen(O_PROBABILITY)) {
        throw RuleException.parameter("--probability must be specified when using random mode");
      }
      if (mode == NTH && !d.seen(O_EVERY) && !d.seen(O_PACKET)) {
        throw RuleException.parameter("--every and --packet must be specified when using nth mode");
      }
      long every = XtPrint.u32(b, 4);
      long packet = XtPrint.u32(b, 8);
      if (packet > every) {
        throw RuleException.parameter("the --packet p must be 0 <= p <= n-1");
      }
      // every aliases random's probability: iptables fills count in either mode
      b.putInt(12, (int) (every - packet));
    }

    private static void match(ExtData d, String prefix, StringBuilder out) {
      ByteBuffer b = d.data();
      String inv = (b.getShort(2) & INVERT) != 0 ? " !" : "";
      switch (b.getShort(0)) {
        case RANDOM ->
            out.append(' ')
                .append(prefix)
                .append("mode random")
                .append(inv)
                .append(' ')
                .append(prefix)
                .append("probability ")
                .append(String.format("%.11f", XtPrint.u32(b, 4) / (double) 0x80000000L));
        case NTH -> {
          out.append(' ')
              .append(prefix)
              .append("mode nth")
              .append(inv)
              .append(' ')
              .append(prefix)
              .append("every ")
              .append((XtPrint.u32(b, 4) + 1) & 0xffffffffL);
          if (b.getInt(8) != 0 || !prefix.isEmpty()) {
            out.append(' ').append(prefix).append("packet ").append(XtPrint.u32(b, 8));
          }
        }
        default -> {}
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" statistic");
      match(d, "", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      match(d, "--", out);
    }
  }

  /**
   * xt_connlimit_info revision 1 { nf_inet_addr mask; u32 limit, flags; kernel pointer at 24 }, 32
   * bytes.
   */
  static final class Connlimit extends AbstractXtExtension {
    static final int INVERT = 1;
    static final int DADDR = 2;
    static final int O_UPTO = 0;
    static final int O_ABOVE = 1;
    static final int O_MASK = 2;
    static final int O_SADDR = 3;
    static final int O_DADDR = 4;

    Connlimit() {
      super(
          ExtensionKind.MATCH,
          "connlimit",
          1,
          32,
          List.of(
              XtOption.of("connlimit-upto", XtOptionType.UINT32, O_UPTO, XtOption.INVERT)
                  .withExcl(1 << O_ABOVE),
              XtOption.of("connlimit-above", XtOptionType.UINT32, O_ABOVE, XtOption.INVERT)
                  .withExcl(1 << O_UPTO),
              XtOption.of("connlimit-mask", XtOptionType.PLENMASK, O_MASK, 0),
              XtOption.of("connlimit-saddr", XtOptionType.NONE, O_SADDR, 0).withExcl(1 << O_DADDR),
              XtOption.of("connlimit-daddr", XtOptionType.NONE, O_DADDR, 0)
                  .withExcl(1 << O_SADDR)));
    }

    @Override
    public int userSpaceSize() {
      return 24;
    }

    @Override
    public void init(ExtData d) {
      for (int i = 0; i < 16; i++) {
        d.data().put(i, (byte) -1);
      }
    }

    @Override
    public void parse(XtArg a, ExtData d) {
      ByteBuffer b = d.data();
      int flags = b.getInt(20);
      switch (a.id()) {
        case O_UPTO, O_ABOVE -> {
          b.putInt(16, (int) a.val());
          if (a.invert() == (a.id() == O_ABOVE)) {
            flags |= INVERT;
          }
        }
        case O_MASK -> b.put(0, a.inetMask());
        case O_SADDR -> flags &= ~DADDR;
        default -> flags |= DADDR;
      }
      b.putInt(20, flags);
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (!d.seen(O_UPTO) && !d.seen(O_ABOVE)) {
        throw RuleException.parameter(
            "You must specify \"--connlimit-above\" or \"--connlimit-upto\".");
      }
    }

    /** count_bits4: 32 less the length of the mask's inverted tail. */
    private static int bits(ByteBuffer b) {
      long inv = ~XtPrint.be32(b, 0) & 0xffffffffL;
      int n = 0;
      for (; inv != 0; inv >>>= 1) {
        n++;
      }
      return 32 - n;
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      int flags = b.getInt(20);
      out.append(" #conn ")
          .append((flags & DADDR) != 0 ? "dst" : "src")
          .append('/')
          .append(bits(b))
          .append((flags & INVERT) != 0 ? " <= " : " > ")
          .append(XtPrint.u32(b, 16));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      int flags = b.getInt(20);
      out.append((flags & INVERT) != 0 ? " --connlimit-upto " : " --connlimit-above ")
          .append(XtPrint.u32(b, 16))
          .append(" --connlimit-mask ")
          .append(bits(b))
          .append((flags & DADDR) != 0 ? " --connlimit-daddr" : " --connlimit-saddr");
    }
  }

  /** xt_connbytes_info { u64 from, to; u8 what, direction; }, 24 bytes. */
  static final class Connbytes extends AbstractXtExtension {
    static final String[] MODES = {"packets", "bytes", "avgpkt"};
    static final String[] DIRS = {"original", "reply", "both"};

    Connbytes() {
      super(
          ExtensionKind.MATCH,
          "connbytes",
          0,
          24,
          List.of(
              XtOption.of("connbytes", XtOptionType.UINT64RC, 0, XtOption.MAND | XtOption.INVERT),
              XtOption.of("connbytes-dir", XtOptionType.STRING, 1, XtOption.MAND),
              XtOption.of("connbytes-mode", XtOptionType.STRING, 2, XtOption.MAND)));
    }

    @Override
    public void parse(XtArg a, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (a.id()) {
        case 0 -> {
          long from = a.val(0);
          long to = a.nvals() == 2 ? a.val(1) : -1L;
          if (Long.compareUnsigned(to, from) < 0) {
            throw RuleException.parameter(
                Long.toUnsignedString(from) + " should be less than " + Long.toUnsignedString(to));
          }
          if (a.invert()) {
            long t = from;
            from = to;
            to = t;
          }
          b.putLong(0, from).putLong(8, to);
        }
        case 1 -> {
          int i = List.of(DIRS).indexOf(a.arg());
          if (i < 0) {
            throw RuleException.parameter("Unknown --connbytes-dir `" + a.arg() + "'");
          }
          b.put(17, (byte) i);
        }
        default -> {
          int i = List.of(MODES).indexOf(a.arg());
          if (i < 0) {
            throw RuleException.parameter("Unknown --connbytes-mode `" + a.arg() + "'");
          }
          b.put(16, (byte) i);
        }
      }
    }

    private static void fromTo(ByteBuffer b, String prefix, StringBuilder out) {
      long from = b.getLong(0);
      long to = b.getLong(8);
      if (Long.compareUnsigned(from, to) > 0) {
        out.append(" !");
        long t = from;
        from = to;
        to = t;
      }
      out.append(' ').append(prefix).append("connbytes ").append(Long.toUnsignedString(from));
      if (to != 0 && to != -1L) {
        out.append(':').append(Long.toUnsignedString(to));
      }
    }

    private static String word(String[] words, int i) {
      return i < words.length ? words[i] : "unknown";
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      fromTo(b, "", out);
      out.append(" connbytes mode ").append(word(MODES, XtPrint.u8(b, 16)));
      out.append(" connbytes direction ").append(word(DIRS, XtPrint.u8(b, 17)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      fromTo(b, "--", out);
      out.append(" --connbytes-mode ").append(word(MODES, XtPrint.u8(b, 16)));
      out.append(" --connbytes-dir ").append(word(DIRS, XtPrint.u8(b, 17)));
    }
  }
}

package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.cString;
import static bpfilterctl.core.iptables.ext.XtText.hex;
import static bpfilterctl.core.iptables.ext.XtText.putCString;
import static bpfilterctl.core.iptables.ext.XtText.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The targets that set marks: MARK (libxt_MARK, revisions 0-2), CONNMARK (libxt_CONNMARK, 0-2), and
 * the security marks SECMARK (0, 1) and CONNSECMARK.
 */
final class MarkTargetCodecs {
  private MarkTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(
          new MarkV0(),
          new MarkV1(),
          new MarkV2(),
          new ConnmarkV0(),
          new Connmark(1),
          new Connmark(2),
          new Secmark(0),
          new Secmark(1),
          new Connsecmark());

  // Option ids shared by MARK's revisions (libxt_MARK's enum).
  private static final int O_SET_MARK = 0;
  private static final int O_AND_MARK = 1;
  private static final int O_OR_MARK = 2;
  private static final int O_XOR_MARK = 3;
  private static final int O_SET_XMARK = 4;
  // Constant expressions, so that they are set before ALL's constructors run.
  private static final int MARK_ANY =
      1 << O_SET_MARK | 1 << O_AND_MARK | 1 << O_OR_MARK | 1 << O_XOR_MARK | 1 << O_SET_XMARK;

  private static List<XtOption> oldMarkOptions() {
    return List.of(
        XtOption.of("set-mark", XtOptionType.UINT32, O_SET_MARK).withExcl(MARK_ANY),
        XtOption.of("and-mark", XtOptionType.UINT32, O_AND_MARK).withExcl(MARK_ANY),
        XtOption.of("or-mark", XtOptionType.UINT32, O_OR_MARK).withExcl(MARK_ANY));
  }

  private static void requireOldMarkOption(ExtData d) throws RuleException {
    if (d.seen() == 0) {
      throw RuleException.parameter("MARK target: Parameter --set/and/or-mark is required");
    }
  }

  /** struct xt_mark_target_info { unsigned long mark; }: only --set-mark. */
  static final class MarkV0 extends AbstractXtExtension {
    MarkV0() {
      super(ExtensionKind.TARGET, "MARK", 0, 8, oldMarkOptions());
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      if (arg.id() != O_SET_MARK) {
        throw RuleException.parameter("MARK target: kernel too old for --" + arg.option().name());
      }
      d.data().putLong(0, arg.val());
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      requireOldMarkOption(d);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" MARK set 0x").append(Long.toHexString(d.data().getLong(0)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --set-mark 0x").append(Long.toHexString(d.data().getLong(0)));
    }
  }

  /** struct xt_mark_target_info_v1 { unsigned long mark; u8 mode; }: set, and, or. */
  static final class MarkV1 extends AbstractXtExtension {
    private static final String[] MODES = {"set", "and", "or"};

    MarkV1() {
      super(ExtensionKind.TARGET, "MARK", 1, 9, oldMarkOptions());
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      d.data().put(8, (byte) arg.id());
      d.data().putLong(0, arg.val());
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      requireOldMarkOption(d);
    }

    private static void describe(ExtData d, String before, String after, StringBuilder out) {
      int mode = u8(d.data(), 8);
      if (mode < MODES.length) {
        out.append(before).append(MODES[mode]).append(after);
      }
      out.append(" 0x").append(Long.toHexString(d.data().getLong(0)));
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, " MARK ", "", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, " --", "-mark", out);
    }
  }

  /** struct xt_mark_tginfo2 { u32 mark, mask; }: mark = (mark & ~mask) ^ value. */
  static final class MarkV2 extends AbstractXtExtension {
    MarkV2() {
      super(
          ExtensionKind.TARGET,
          "MARK",
          2,
          8,
          List.of(
              XtOption.of("set-xmark", XtOptionType.MARKMASK32, O_SET_XMARK).withExcl(MARK_ANY),
              XtOption.of("set-mark", XtOptionType.MARKMASK32, O_SET_MARK).withExcl(MARK_ANY),
              XtOption.of("and-mark", XtOptionType.UINT32, O_AND_MARK).withExcl(MARK_ANY),
              XtOption.of("or-mark", XtOptionType.UINT32, O_OR_MARK).withExcl(MARK_ANY),
              XtOption.of("xor-mark", XtOptionType.UINT32, O_XOR_MARK).withExcl(MARK_ANY)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      int[] markMask = markAndMask(arg);
      d.data().putInt(0, markMask[0]);
      d.data().putInt(4, markMask[1]);
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter(
            "MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" MARK");
      describeXmark(d.data().getInt(0), d.data().getInt(4), out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --set-xmark 0x")
          .append(hex(d.data().getInt(0)))
          .append("/0x")
          .append(hex(d.data().getInt(4)));
    }
  }

  /** The (value, mask) pair of an xmark-style option; the ids are those of MARK and CONNMARK. */
  private static int[] markAndMask(XtArg arg) {
    int value = (int) arg.val();
    return switch (arg.id()) {
      case O_SET_XMARK -> new int[] {value, (int) arg.val(1)};
      case O_SET_MARK -> new int[] {value, value | (int) arg.val(1)};
      case O_AND_MARK -> new int[] {0, ~value};
      case O_OR_MARK -> new int[] {value, value};
      case O_XOR_MARK -> new int[] {value, 0};
      default -> throw new IllegalArgumentException("not a mark option: " + arg.id());
    };
  }

  /** " and 0x..", " or 0x..", " xor 0x..", " set 0x.." or " xset 0x../0x..". */
  private static void describeXmark(int mark, int mask, StringBuilder out) {
    if (mark == 0) {
      out.append(" and 0x").append(hex(~mask));
    } else if (mark == mask) {
      out.append(" or 0x").append(hex(mark));
    } else if (mask == 0) {
      out.append(" xor 0x").append(hex(mark));
    } else if (mask == -1) {
      out.append(" set 0x").append(hex(mark));
    } else {
      out.append(" xset 0x").append(hex(mark)).append("/0x").append(hex(mask));
    }
  }

  // CONNMARK option ids (libxt_CONNMARK's enum).
  private static final int C_SET_MARK = 0;
  private static final int C_SAVE_MARK = 1;
  private static final int C_RESTORE_MARK = 2;
  private static final int C_AND_MARK = 3;
  private static final int C_OR_MARK = 4;
  private static final int C_XOR_MARK = 5;
  private static final int C_LEFT_SHIFT = 6;
  private static final int C_RIGHT_SHIFT = 7;
  private static final int C_SET_XMARK = 8;
  private static final int C_CTMASK = 9;
  private static final int C_NFMASK = 10;
  private static final int C_MASK = 11;
  private static final int C_OP_ANY =
      1 << C_SET_MARK
          | 1 << C_SAVE_MARK
          | 1 << C_RESTORE_MARK
          | 1 << C_AND_MARK
          | 1 << C_OR_MARK
          | 1 << C_XOR_MARK
          | 1 << C_SET_XMARK;
  private static final int SET = 0;
  private static final int SAVE = 1;
  private static final int RESTORE = 2;

  private static void requireConnmarkOperation(ExtData d) throws RuleException {
    if ((d.seen() & C_OP_ANY) == 0) {
      throw RuleException.parameter("CONNMARK target: No operation specified");
    }
  }

  /** struct xt_connmark_target_info { unsigned long mark, mask; u8 mode; }. */
  static final class ConnmarkV0 extends AbstractXtExtension {
    ConnmarkV0() {
      super(
          ExtensionKind.TARGET,
          "CONNMARK",
          0,
          17,
          List.of(
              XtOption.of("set-mark", XtOptionType.MARKMASK32, C_SET_MARK).withExcl(C_OP_ANY),
              XtOption.flag("save-mark", C_SAVE_MARK).withExcl(C_OP_ANY),
              XtOption.flag("restore-mark", C_RESTORE_MARK).withExcl(C_OP_ANY),
              XtOption.of("mask", XtOptionType.UINT32, C_MASK)));
    }

    @Override
    public void init(ExtData d) {
      d.data().putLong(8, 0xffffffffL);
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case C_SET_MARK -> {
          b.put(16, (byte) SET);
          b.putLong(0, arg.val());
          b.putLong(8, arg.val(1));
        }
        case C_SAVE_MARK -> b.put(16, (byte) SAVE);
        case C_RESTORE_MARK -> b.put(16, (byte) RESTORE);
        case C_MASK -> b.putLong(8, arg.val());
        default -> {}
      }
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      requireConnmarkOperation(d);
    }

    private static void describe(ExtData d, boolean save, StringBuilder out) {
      ByteBuffer b = d.data();
      long mark = b.getLong(0);
      long mask = b.getLong(8);
      String maskText = mask != 0xffffffffL ? "0x" + Long.toHexString(mask) : null;
      switch (u8(b, 16)) {
        case SET -> {
          out.append(save ? " --set-mark " : " CONNMARK set ");
          out.append("0x").append(Long.toHexString(mark));
          if (maskText != null) {
            out.append('/').append(maskText);
          }
        }
        case SAVE, RESTORE -> {
          String op = u8(b, 16) == SAVE ? "save" : "restore";
          out.append(save ? " --" + op + "-mark " : " CONNMARK " + op + " ");
          if (maskText != null) {
            out.append(save ? "--mask " : "mask ").append(maskText);
          }
        }
        default -> out.append(" ERROR: UNKNOWN CONNMARK MODE");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, false, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, true, out);
    }
  }

  /**
   * struct xt_connmark_tginfo1 { u32 ctmark, ctmask, nfmask; u8 mode; } and tginfo2, which puts
   * shift_dir and shift_bits before mode.
   */
  static final class Connmark extends AbstractXtExtension {
    private final int modeAt;

    Connmark(int revision) {
      super(ExtensionKind.TARGET, "CONNMARK", revision, revision == 1 ? 13 : 15, options(revision));
      this.modeAt = revision == 1 ? 12 : 14;
    }

    private static List<XtOption> options(int revision) {
      List<XtOption> common =
          List.of(
              XtOption.of("set-xmark", XtOptionType.MARKMASK32, C_SET_XMARK).withExcl(C_OP_ANY),
              XtOption.of("set-mark", XtOptionType.MARKMASK32, C_SET_MARK).withExcl(C_OP_ANY),
              XtOption.of("and-mark", XtOptionType.UINT32, C_AND_MARK).withExcl(C_OP_ANY),
              XtOption.of("or-mark", XtOptionType.UINT32, C_OR_MARK).withExcl(C_OP_ANY),
              XtOption.of("xor-mark", XtOptionType.UINT32, C_XOR_MARK).withExcl(C_OP_ANY),
              XtOption.flag("save-mark", C_SAVE_MARK).withExcl(C_OP_ANY),
              XtOption.flag("restore-mark", C_RESTORE_MARK).withExcl(C_OP_ANY));
      List<XtOption> masks =
          List.of(
              XtOption.of("ctmask", XtOptionType.UINT32, C_CTMASK).withExcl(XtOption.mask(C_MASK)),
              XtOption.of("nfmask", XtOptionType.UINT32, C_NFMASK).withExcl(XtOption.mask(C_MASK)),
              XtOption.of("mask", XtOptionType.UINT32, C_MASK)
                  .withExcl(XtOption.mask(C_CTMASK, C_NFMASK)));
      if (revision == 1) {
        return concat(common, masks);
      }
      List<XtOption> shifts =
          List.of(
              XtOption.of("left-shift-mark", XtOptionType.UINT8, C_LEFT_SHIFT).withRange(0, 32),
              XtOption.of("right-shift-mark", XtOptionType.UINT8, C_RIGHT_SHIFT).withRange(0, 32));
      return concat(concat(common, shifts), masks);
    }

    private static List<XtOption> concat(List<XtOption> a, List<XtOption> b) {
      return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    @Override
    public void init(ExtData d) {
      d.data().putInt(4, -1);
      d.data().putInt(8, -1);
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case C_SET_XMARK, C_SET_MARK, C_AND_MARK, C_OR_MARK, C_XOR_MARK -> {
          int[] mm = markAndMask(xmarkView(arg));
          b.put(modeAt, (byte) SET);
          b.putInt(0, mm[0]);
          b.putInt(4, mm[1]);
        }
        case C_SAVE_MARK -> b.put(modeAt, (byte) SAVE);
        case C_RESTORE_MARK -> b.put(modeAt, (byte) RESTORE);
        case C_CTMASK -> b.putInt(4, (int) arg.val());
        case C_NFMASK -> b.putInt(8, (int) arg.val());
        case C_MASK -> {
          b.putInt(4, (int) arg.val());
          b.putInt(8, (int) arg.val());
        }
        case C_LEFT_SHIFT, C_RIGHT_SHIFT -> {
          b.put(12, (byte) (arg.id() == C_LEFT_SHIFT ? 0 : 1));
          b.put(13, (byte) arg.val());
        }
        default -> {}
      }
    }

    /** CONNMARK's xmark options under MARK's ids, so both share {@link #markAndMask}. */
    private static XtArg xmarkView(XtArg arg) {
      int id =
          switch (arg.id()) {
            case C_SET_XMARK -> O_SET_XMARK;
            case C_SET_MARK -> O_SET_MARK;
            case C_AND_MARK -> O_AND_MARK;
            case C_OR_MARK -> O_OR_MARK;
            default -> O_XOR_MARK;
          };
      XtOption o = arg.option();
      XtOption renamed =
          new XtOption(o.name(), o.type(), id, 0, 0, o.flags(), o.min(), o.max(), o.size());
      return new XtArg(
          renamed, arg.arg(), arg.invert(), arg.nvals(), arg.vals(), arg.dbl(), null, null);
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      requireConnmarkOperation(d);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      int ctmark = b.getInt(0);
      int ctmask = b.getInt(4);
      int nfmask = b.getInt(8);
      int mode = u8(b, modeAt);
      switch (mode) {
        case SET -> {
          out.append(" CONNMARK");
          describeXmark(ctmark, ctmask, out);
        }
        case SAVE -> {
          if (nfmask == -1 && ctmask == -1) {
            out.append(" CONNMARK save");
          } else if (nfmask == ctmask) {
            out.append(" CONNMARK save mask 0x").append(hex(nfmask));
          } else {
            out.append(" CONNMARK save nfmask 0x")
                .append(hex(nfmask))
                .append(" ctmask ~0x")
                .append(hex(ctmask));
          }
        }
        case RESTORE -> {
          if (ctmask == -1 && nfmask == -1) {
            out.append(" CONNMARK restore");
          } else if (ctmask == nfmask) {
            out.append(" CONNMARK restore mask 0x").append(hex(ctmask));
          } else {
            out.append(" CONNMARK restore ctmask 0x")
                .append(hex(ctmask))
                .append(" nfmask ~0x")
                .append(hex(nfmask));
          }
        }
        default -> out.append(" ERROR: UNKNOWN CONNMARK MODE");
      }
      appendShift(b, mode, "", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      int mode = u8(b, modeAt);
      switch (mode) {
        case SET ->
            out.append(" --set-xmark 0x")
                .append(hex(b.getInt(0)))
                .append("/0x")
                .append(hex(b.getInt(4)));
        case SAVE, RESTORE ->
            out.append(mode == SAVE ? " --save-mark" : " --restore-mark")
                .append(" --nfmask 0x")
                .append(hex(b.getInt(8)))
                .append(" --ctmask 0x")
                .append(hex(b.getInt(4)));
        default -> out.append(" ERROR: UNKNOWN CONNMARK MODE");
      }
      appendShift(b, mode, "--", out);
    }

    private void appendShift(ByteBuffer b, int mode, String dashes, StringBuilder out) {
      if (revision() < 2 || mode > RESTORE || u8(b, 13) == 0) {
        return;
      }
      // shift_dir indexes {"left-shift-mark", "right-shift-mark"}; other values are out of table.
      String op = u8(b, 12) == 0 ? "left-shift-mark" : "right-shift-mark";
      out.append(' ').append(dashes).append(op).append(' ').append(u8(b, 13));
    }
  }

  /**
   * struct xt_secmark_target_info { u8 mode; u32 secid; char secctx[256]; } and v1 { u8 mode; char
   * secctx[256]; u32 secid; }.
   */
  static final class Secmark extends AbstractXtExtension {
    private static final int CTX_SIZE = 256;
    private static final int MODE_SEL = 1;
    private final int ctxAt;

    Secmark(int revision) {
      super(
          ExtensionKind.TARGET,
          "SECMARK",
          revision,
          264,
          List.of(XtOption.mandatory("selctx", XtOptionType.STRING, 0).withSize(CTX_SIZE)));
      this.ctxAt = revision == 0 ? 8 : 1;
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      putCString(d.data(), ctxAt, CTX_SIZE, arg.arg());
      d.data().put(0, (byte) MODE_SEL);
    }

    private void describe(ExtData d, String lead, StringBuilder out) {
      out.append(lead);
      int mode = u8(d.data(), 0);
      if (mode == MODE_SEL) {
        out.append("selctx ").append(cString(d.data(), ctxAt, CTX_SIZE));
      } else {
        out.append("(invalid mode ").append(mode).append(')');
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, " SECMARK ", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, " --", out);
    }
  }

  /** struct xt_connsecmark_target_info { u8 mode; }: 1 save, 2 restore. */
  static final class Connsecmark extends AbstractXtExtension {
    private static final int O_SAVE = 0;
    private static final int O_RESTORE = 1;

    Connsecmark() {
      super(
          ExtensionKind.TARGET,
          "CONNSECMARK",
          0,
          1,
          List.of(
              XtOption.flag("save", O_SAVE).withExcl(XtOption.mask(O_RESTORE)),
              XtOption.flag("restore", O_RESTORE).withExcl(XtOption.mask(O_SAVE))));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      d.data().put(0, (byte) (arg.id() == O_SAVE ? 1 : 2));
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("CONNSECMARK target: parameter required");
      }
    }

    private static void describe(ExtData d, String lead, StringBuilder out) {
      int mode = u8(d.data(), 0);
      out.append(lead)
          .append(mode == 1 ? "save" : mode == 2 ? "restore" : "(invalid mode " + mode + ")");
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, " CONNSECMARK ", out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, " --", out);
    }
  }
}

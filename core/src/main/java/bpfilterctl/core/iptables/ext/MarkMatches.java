package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * mark and connmark, revision 1 of both (libxt_mark.c, libxt_connmark.c): struct { u32 mark, mask;
 * u8 invert; }, 12 bytes.
 */
public final class MarkMatches extends AbstractXtExtension {
  public static final List<XtExtension> ALL =
      List.of(
          new MarkMatches("mark", " mark match", " !"),
          new MarkMatches("connmark", " connmark match ", "!"));

  private final String printHead;
  private final String printInvert;

  private MarkMatches(String name, String printHead, String printInvert) {
    super(
        ExtensionKind.MATCH,
        name,
        1,
        12,
        List.of(XtOption.of("mark", XtOptionType.MARKMASK32, 0, XtOption.MAND | XtOption.INVERT)));
    this.printHead = printHead;
    this.printInvert = printInvert;
  }

  @Override
  public void parse(XtArg a, ExtData d) {
    d.data().putInt(0, (int) a.val(0)).putInt(4, (int) a.val(1));
    if (a.invert()) {
      d.data().put(8, (byte) 1);
    }
  }

  /** xtables_print_mark_mask. */
  static void markMask(long mark, long mask, StringBuilder out) {
    out.append(" 0x").append(Long.toHexString(mark));
    if (mask != 0xffffffffL) {
      out.append("/0x").append(Long.toHexString(mask));
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(printHead);
    if (d.data().get(8) != 0) {
      out.append(printInvert);
    }
    markMask(XtPrint.u32(d.data(), 0), XtPrint.u32(d.data(), 4), out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    if (d.data().get(8) != 0) {
      out.append(" !");
    }
    out.append(" --mark");
    markMask(XtPrint.u32(d.data(), 0), XtPrint.u32(d.data(), 4), out);
  }
}

package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * The IPsec-style header matches ah, esp and ipcomp (libipt_ah.c, libxt_esp.c, libxt_ipcomp.c): an
 * SPI range {@code u32 spis[2]} at 0 and {@code u8 invflags} at 8 (bit 0 inverts the range); ipcomp
 * adds {@code u8 hdrres} at 9. Twelve bytes each.
 */
final class SpiMatches {
  private SpiMatches() {}

  static final int OFF_INVFLAGS = 8;
  static final int OFF_HDRRES = 9;
  static final int INV_SPI = 0x01;
  static final long ANY = 0xffffffffL;

  /** The three flavours differ only in names, -L layout and ipcomp's reserved-bit option. */
  enum Flavour {
    AH("ah", "ahspi", " ah ", ""),
    ESP("esp", "espspi", " esp", " "),
    IPCOMP("ipcomp", "ipcompspi", " comp ", "");

    final String name;
    final String spiOption;
    final String printHead;
    final String printSep;

    Flavour(String name, String spiOption, String printHead, String printSep) {
      this.name = name;
      this.spiOption = spiOption;
      this.printHead = printHead;
      this.printSep = printSep;
    }
  }

  static final List<XtExtension> ALL =
      List.of(new SpiMatch(Flavour.AH), new SpiMatch(Flavour.ESP), new SpiMatch(Flavour.IPCOMP));

  static final class SpiMatch extends AbstractXtExtension {
    static final int O_SPI = 0;
    static final int O_COMPRES = 1;

    private final Flavour flavour;

    private SpiMatch(Flavour flavour) {
      super(ExtensionKind.MATCH, flavour.name, 0, 12, optionsOf(flavour));
      this.flavour = flavour;
    }

    private static List<XtOption> optionsOf(Flavour flavour) {
      XtOption spi = XtOption.of(flavour.spiOption, XtOptionType.UINT32RC, O_SPI, XtOption.INVERT);
      return flavour == Flavour.IPCOMP
          ? List.of(spi, XtOption.of("compres", XtOptionType.NONE, O_COMPRES, 0))
          : List.of(spi);
    }

    @Override
    public void init(ExtData d) {
      // ipcomp has no init in iptables: its range stays 0:0 unless --ipcompspi is given.
      if (flavour != Flavour.IPCOMP) {
        d.data().putInt(4, (int) ANY);
      }
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      if (arg.id() == O_COMPRES) {
        d.data().put(OFF_HDRRES, (byte) 1);
        return;
      }
      long lo = arg.nvals() >= 1 ? arg.val(0) : 0;
      long hi = arg.nvals() >= 2 ? arg.val(1) : lo;
      d.data().putInt(0, (int) lo);
      d.data().putInt(4, (int) hi);
      if (arg.invert()) {
        d.data().put(OFF_INVFLAGS, (byte) (d.data().get(OFF_INVFLAGS) | INV_SPI));
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      long lo = Integer.toUnsignedLong(d.data().getInt(0));
      long hi = Integer.toUnsignedLong(d.data().getInt(4));
      int inv = d.data().get(OFF_INVFLAGS) & 0xff;
      out.append(flavour.printHead);
      if (lo != 0 || hi != ANY || (inv & INV_SPI) != 0) {
        String bang = (inv & INV_SPI) != 0 ? "!" : "";
        out.append(flavour.printSep);
        if (lo == hi) {
          out.append("spi:").append(bang).append(lo);
        } else {
          out.append("spis:").append(bang).append(lo).append(':').append(hi);
        }
      }
      if (flavour == Flavour.IPCOMP && d.data().get(OFF_HDRRES) != 0) {
        out.append(" reserved");
      }
      if ((inv & ~INV_SPI) != 0) {
        out.append(" Unknown invflags: 0x")
            .append(Integer.toHexString(inv & ~INV_SPI).toUpperCase(java.util.Locale.ROOT));
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      long lo = Integer.toUnsignedLong(d.data().getInt(0));
      long hi = Integer.toUnsignedLong(d.data().getInt(4));
      // The inversion is lost when the range is the full one, as in iptables.
      if (!(lo == 0 && hi == ANY)) {
        if ((d.data().get(OFF_INVFLAGS) & INV_SPI) != 0) {
          out.append(" !");
        }
        out.append(" --").append(flavour.spiOption).append(' ').append(lo);
        if (lo != hi) {
          out.append(':').append(hi);
        }
      }
      if (flavour == Flavour.IPCOMP && d.data().get(OFF_HDRRES) != 0) {
        out.append(" --compres");
      }
    }
  }
}

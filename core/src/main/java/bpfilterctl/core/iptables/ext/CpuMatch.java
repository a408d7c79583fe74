package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/** The cpu match (libxt_cpu.c), struct xt_cpu_info, 8 bytes: {@code u32 cpu, u32 invert}. */
final class CpuMatch extends AbstractXtExtension {
  static final CpuMatch INSTANCE = new CpuMatch();

  private CpuMatch() {
    super(
        ExtensionKind.MATCH,
        "cpu",
        0,
        8,
        List.of(XtOption.of("cpu", XtOptionType.UINT32, 0, XtOption.INVERT | XtOption.MAND)));
  }

  @Override
  public void parse(XtArg arg, ExtData d) {
    d.data().putInt(0, (int) arg.val());
    if (arg.invert()) {
      d.data().putInt(4, 1);
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" cpu ").append(d.data().getInt(4) != 0 ? "! " : "");
    out.append(Integer.toUnsignedString(d.data().getInt(0)));
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(d.data().getInt(4) != 0 ? " !" : "").append(" --cpu ");
    out.append(Integer.toUnsignedString(d.data().getInt(0)));
  }
}

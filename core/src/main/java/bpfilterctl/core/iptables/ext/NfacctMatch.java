package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/**
 * The nfacct match (libxt_nfacct.c), revisions 0 and 1 (same layout on 64-bit): {@code char
 * name[32]} and a kernel pointer, 40 bytes.
 */
final class NfacctMatch extends AbstractXtExtension {
  static final List<XtExtension> ALL = List.of(new NfacctMatch(0), new NfacctMatch(1));

  private static final int NAME_MAX = 32;

  private NfacctMatch(int revision) {
    super(
        ExtensionKind.MATCH,
        "nfacct",
        revision,
        40,
        List.of(
            XtOption.of("nfacct-name", XtOptionType.STRING, 0, XtOption.MAND)
                .withRange(1, 0)
                .withSize(NAME_MAX)));
  }

  @Override
  public int userSpaceSize() {
    return NAME_MAX;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    XtText.putCString(d.data(), 0, NAME_MAX, arg.arg());
    if (arg.arg().indexOf('\n') >= 0) {
      throw RuleException.parameter("Newlines not allowed in --nfacct-name");
    }
  }

  // iptables 1.8.9 prints a blank before the name and xtables_save_string another one.
  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" nfacct-name ");
    XtText.saveString(XtText.cString(d.data(), 0, NAME_MAX), out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(" --nfacct-name ");
    XtText.saveString(XtText.cString(d.data(), 0, NAME_MAX), out);
  }
}

package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.file.Path;
import java.util.List;

/**
 * The realm match (libipt_realm.c), struct xt_realm_info, 12 bytes: {@code u32 id}, {@code u32
 * mask}, {@code u8 invert}. Realm names come from /etc/iproute2/rt_realms, in -L and in save form.
 */
final class RealmMatch extends AbstractXtExtension {
  static final RealmMatch INSTANCE = new RealmMatch(Path.of("/etc/iproute2/rt_realms"));

  private final Path realms;

  private RealmMatch(Path realms) {
    super(
        ExtensionKind.MATCH,
        "realm",
        0,
        12,
        List.of(XtOption.of("realm", XtOptionType.STRING, 0, XtOption.MAND | XtOption.INVERT)));
    this.realms = realms;
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    IdNameMap.ValMask vm = IdNameMap.load(realms).parse(arg.arg(), name(), "realm");
    d.data().putInt(0, (int) vm.value());
    d.data().putInt(4, (int) vm.mask());
    if (arg.invert()) {
      d.data().put(8, (byte) 1);
    }
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    show(" realm", !numeric, d, out);
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    show(" --realm", true, d, out);
  }

  private void show(String label, boolean names, ExtData d, StringBuilder out) {
    if (d.data().get(8) != 0) {
      out.append(" !");
    }
    out.append(label);
    IdNameMap.load(realms)
        .print(
            Integer.toUnsignedLong(d.data().getInt(0)),
            Integer.toUnsignedLong(d.data().getInt(4)),
            names,
            out);
  }
}

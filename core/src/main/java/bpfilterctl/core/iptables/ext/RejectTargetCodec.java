package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.util.List;

/** REJECT (libipt_REJECT): struct ipt_reject_info { enum ipt_reject_with with; }. */
final class RejectTargetCodec extends AbstractXtExtension {
  static final List<XtExtension> ALL = List.of(new RejectTargetCodec());

  private static final int PORT_UNREACHABLE = 3;

  /** Indexed by enum ipt_reject_with; index 4 (echo-reply) is no longer offered. */
  private static final String[][] TYPES = {
    {"icmp-net-unreachable", "net-unreach"},
    {"icmp-host-unreachable", "host-unreach"},
    {"icmp-proto-unreachable", "proto-unreach"},
    {"icmp-port-unreachable", "port-unreach"},
    null,
    {"icmp-net-prohibited", "net-prohib"},
    {"icmp-host-prohibited", "host-prohib"},
    {"tcp-reset", "tcp-rst"},
    {"icmp-admin-prohibited", "admin-prohib"},
  };

  private RejectTargetCodec() {
    super(
        ExtensionKind.TARGET,
        "REJECT",
        0,
        4,
        List.of(XtOption.of("reject-with", XtOptionType.STRING, 0)));
  }

  @Override
  public void init(ExtData d) {
    d.data().putInt(0, PORT_UNREACHABLE);
  }

  @Override
  public void parse(XtArg arg, ExtData d) throws RuleException {
    String a = arg.arg();
    // The argument may abbreviate a name or its alias (strncasecmp over the argument's length).
    for (int i = 0; i < TYPES.length; i++) {
      if (TYPES[i] != null && (abbreviates(a, TYPES[i][0]) || abbreviates(a, TYPES[i][1]))) {
        d.data().putInt(0, i);
        return;
      }
    }
    if (abbreviates(a, "echo-reply") || abbreviates(a, "echoreply")) {
      d.warn("--reject-with echo-reply no longer supported");
    }
    throw RuleException.parameter("unknown reject type \"" + a + "\"");
  }

  private static boolean abbreviates(String arg, String name) {
    return arg.length() <= name.length() && name.regionMatches(true, 0, arg, 0, arg.length());
  }

  private static String typeName(ExtData d) {
    int with = d.data().getInt(0);
    return with >= 0 && with < TYPES.length && TYPES[with] != null ? TYPES[with][0] : "(null)";
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" reject-with ").append(typeName(d));
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(" --reject-with ").append(typeName(d));
  }
}

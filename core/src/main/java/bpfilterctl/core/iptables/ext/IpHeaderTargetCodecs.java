package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/** The targets that rewrite IPv4 header fields: TTL, ECN, DSCP, TOS (revisions 0 and 1). */
final class IpHeaderTargetCodecs {
  private IpHeaderTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(new Ttl(), new Ecn(), new Dscp(), new TosV0(), new TosV1());

  /** struct ipt_TTL_info { u8 mode; u8 ttl; }: mode 0 set, 1 inc, 2 dec. */
  static final class Ttl extends AbstractXtExtension {
    private static final int O_SET = 0;
    private static final int O_INC = 1;
    private static final int O_DEC = 2;
    private static final int ANY = XtOption.mask(O_SET, O_INC, O_DEC);

    Ttl() {
      super(
          ExtensionKind.TARGET,
          "TTL",
          0,
          2,
          List.of(
              XtOption.of("ttl-set", XtOptionType.UINT8, O_SET).withExcl(ANY),
              XtOption.of("ttl-dec", XtOptionType.UINT8, O_DEC).withExcl(ANY).withRange(1, 0),
              XtOption.of("ttl-inc", XtOptionType.UINT8, O_INC).withExcl(ANY).withRange(1, 0)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      d.data().put(1, (byte) arg.val());
      d.data().put(0, (byte) arg.id()); // the ids are the modes
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if ((d.seen() & ANY) == 0) {
        throw RuleException.parameter("TTL: You must specify an action");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" TTL ");
      switch (u8(d.data(), 0)) {
        case O_SET -> out.append("set to");
        case O_INC -> out.append("increment by");
        case O_DEC -> out.append("decrement by");
        default -> {}
      }
      out.append(' ').append(u8(d.data(), 1));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      switch (u8(d.data(), 0)) {
        case O_SET -> out.append(" --ttl-set");
        case O_INC -> out.append(" --ttl-inc");
        case O_DEC -> out.append(" --ttl-dec");
        default -> {}
      }
      out.append(' ').append(u8(d.data(), 1));
    }
  }

  /** struct ipt_ECN_info { u8 operation; u8 ip_ect; u8 ece:1, cwr:1; }. */
  static final class Ecn extends AbstractXtExtension {
    private static final int O_TCP_REMOVE = 0;
    private static final int O_TCP_CWR = 1;
    private static final int O_TCP_ECE = 2;
    private static final int O_IP_ECT = 3;
    private static final int OP_SET_IP = 0x01;
    private static final int OP_SET_ECE = 0x10;
    private static final int OP_SET_CWR = 0x20;
    private static final int ECE_BIT = 1;
    private static final int CWR_BIT = 2;

    Ecn() {
      super(
          ExtensionKind.TARGET,
          "ECN",
          0,
          3,
          List.of(
              XtOption.flag("ecn-tcp-remove", O_TCP_REMOVE)
                  .withExcl(XtOption.mask(O_TCP_CWR, O_TCP_ECE)),
              XtOption.of("ecn-tcp-cwr", XtOptionType.UINT8, O_TCP_CWR)
                  .withRange(0, 1)
                  .withExcl(XtOption.mask(O_TCP_REMOVE)),
              XtOption.of("ecn-tcp-ece", XtOptionType.UINT8, O_TCP_ECE)
                  .withRange(0, 1)
                  .withExcl(XtOption.mask(O_TCP_REMOVE)),
              XtOption.of("ecn-ip-ect", XtOptionType.UINT8, O_IP_ECT).withRange(0, 3)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      ByteBuffer b = d.data();
      int op = u8(b, 0);
      int tcp = u8(b, 2);
      switch (arg.id()) {
        case O_TCP_REMOVE -> {
          op = OP_SET_ECE | OP_SET_CWR;
          tcp &= ~(ECE_BIT | CWR_BIT);
        }
        case O_TCP_CWR -> {
          op |= OP_SET_CWR;
          tcp = (tcp & ~CWR_BIT) | (arg.val() != 0 ? CWR_BIT : 0);
        }
        case O_TCP_ECE -> {
          op |= OP_SET_ECE;
          tcp = (tcp & ~ECE_BIT) | (arg.val() != 0 ? ECE_BIT : 0);
        }
        case O_IP_ECT -> {
          op |= OP_SET_IP;
          b.put(1, (byte) arg.val());
        }
        default -> {}
      }
      b.put(0, (byte) op);
      b.put(2, (byte) tcp);
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("ECN target: An operation is required");
      }
    }

    private static boolean isRemove(ByteBuffer b) {
      return u8(b, 0) == (OP_SET_ECE | OP_SET_CWR) && (u8(b, 2) & (ECE_BIT | CWR_BIT)) == 0;
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      out.append(" ECN");
      if (isRemove(b)) {
        out.append(" TCP remove");
        return;
      }
      int op = u8(b, 0);
      if ((op & OP_SET_ECE) != 0) {
        out.append(" ECE=").append(u8(b, 2) & ECE_BIT);
      }
      if ((op & OP_SET_CWR) != 0) {
        out.append(" CWR=").append((u8(b, 2) & CWR_BIT) >> 1);
      }
      if ((op & OP_SET_IP) != 0) {
        out.append(" ECT codepoint=").append(u8(b, 1));
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      if (isRemove(b)) {
        out.append(" --ecn-tcp-remove");
        return;
      }
      int op = u8(b, 0);
      if ((op & OP_SET_ECE) != 0) {
        out.append(" --ecn-tcp-ece ").append(u8(b, 2) & ECE_BIT);
      }
      if ((op & OP_SET_CWR) != 0) {
        out.append(" --ecn-tcp-cwr ").append((u8(b, 2) & CWR_BIT) >> 1);
      }
      if ((op & OP_SET_IP) != 0) {
        out.append(" --ecn-ip-ect ").append(u8(b, 1));
      }
    }
  }

  /** struct xt_DSCP_info { u8 dscp; }. */
  static final class Dscp extends AbstractXtExtension {
    private static final int O_SET_DSCP = 0;
    private static final int O_SET_DSCP_CLASS = 1;

    /** dscp_helper.c's classes, in its order (the first prefix match wins). */
    private static final String[] CLASS_NAMES = {
      "CS0", "CS1", "CS2", "CS3", "CS4", "CS5", "CS6", "CS7", "BE", "AF11", "AF12", "AF13", "AF21",
      "AF22", "AF23", "AF31", "AF32", "AF33", "AF41", "AF42", "AF43", "EF"
    };

    private static final int[] CLASS_VALUES = {
      0x00, 0x08, 0x10, 0x18, 0x20, 0x28, 0x30, 0x38, 0x00, 0x0a, 0x0c, 0x0e, 0x12, 0x14, 0x16,
      0x1a, 0x1c, 0x1e, 0x22, 0x24, 0x26, 0x2e
    };

    Dscp() {
      super(
          ExtensionKind.TARGET,
          "DSCP",
          0,
          1,
          List.of(
              XtOption.of("set-dscp", XtOptionType.UINT8, O_SET_DSCP)
                  .withExcl(XtOption.mask(O_SET_DSCP_CLASS))
                  .withRange(0, 0x3f),
              XtOption.of("set-dscp-class", XtOptionType.STRING, O_SET_DSCP_CLASS)
                  .withExcl(XtOption.mask(O_SET_DSCP))));
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      if (arg.id() == O_SET_DSCP) {
        d.data().put(0, (byte) arg.val());
      } else {
        d.data().put(0, (byte) classToDscp(arg.arg()));
      }
    }

    /** class_to_dscp: the argument need only start with a class name (strncasecmp). */
    static int classToDscp(String name) throws RuleException {
      for (int i = 0; i < CLASS_NAMES.length; i++) {
        String c = CLASS_NAMES[i];
        if (name.length() >= c.length() && name.regionMatches(true, 0, c, 0, c.length())) {
          return CLASS_VALUES[i];
        }
      }
      throw RuleException.parameter("Invalid DSCP value `" + name + "'");
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("DSCP target: Parameter --set-dscp is required");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" DSCP set ").append(String.format("0x%02x", u8(d.data(), 0)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --set-dscp ").append(String.format("0x%02x", u8(d.data(), 0)));
    }
  }

  private static final String[] TOS_NAMES = {
    "Minimize-Delay",
    "Maximize-Throughput",
    "Maximize-Reliability",
    "Minimize-Cost",
    "Normal-Service"
  };
  private static final int[] TOS_VALUES = {0x10, 0x08, 0x04, 0x02, 0x00};

  /**
   * tos_try_print_symbolic: a name only for mask 0x3f, printed as " " + prefix + name (so TOS
   * revision 1 shows " TOS setMinimize-Delay", as iptables does).
   */
  private static boolean printSymbolic(String prefix, int value, int mask, StringBuilder out) {
    if (mask != 0x3f) {
      return false;
    }
    for (int i = 0; i < TOS_VALUES.length; i++) {
      if (value == TOS_VALUES[i]) {
        out.append(' ').append(prefix).append(TOS_NAMES[i]);
        return true;
      }
    }
    return false;
  }

  private static final int O_SET_TOS = 0;
  private static final int O_AND_TOS = 1;
  private static final int O_OR_TOS = 2;
  private static final int O_XOR_TOS = 3;
  // A constant expression, so that it is set before ALL's constructors run.
  private static final int TOS_ANY =
      1 << O_SET_TOS | 1 << O_AND_TOS | 1 << O_OR_TOS | 1 << O_XOR_TOS;

  private static void requireTosAction(ExtData d) throws RuleException {
    if ((d.seen() & TOS_ANY) == 0) {
      throw RuleException.parameter("TOS: An action is required");
    }
  }

  /** struct ipt_tos_target_info { u8 tos; }: only a full-mask --set-tos. */
  static final class TosV0 extends AbstractXtExtension {
    TosV0() {
      super(
          ExtensionKind.TARGET,
          "TOS",
          0,
          2,
          List.of(
              XtOption.of("set-tos", XtOptionType.TOSMASK, O_SET_TOS)
                  .withExcl(TOS_ANY)
                  .withRange(0, 0xff)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      if (arg.val(1) != 0xff) {
        throw RuleException.parameter(
            "tos match: Your kernel is too old to support anything besides /0xFF as a mask.");
      }
      d.data().put(0, (byte) arg.val());
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      requireTosAction(d);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      out.append(" TOS set ");
      // tos_try_print_symbolic with mask 0xff never finds a name.
      out.append(String.format("0x%02x", u8(d.data(), 0)));
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --set-tos ").append(String.format("0x%02x", u8(d.data(), 0)));
    }
  }

  /** struct xt_tos_target_info { u8 tos_value; u8 tos_mask; }. */
  static final class TosV1 extends AbstractXtExtension {
    TosV1() {
      super(
          ExtensionKind.TARGET,
          "TOS",
          1,
          2,
          List.of(
              XtOption.of("set-tos", XtOptionType.TOSMASK, O_SET_TOS)
                  .withExcl(TOS_ANY)
                  .withRange(0, 0x3f),
              XtOption.of("and-tos", XtOptionType.UINT8, O_AND_TOS).withExcl(TOS_ANY),
              XtOption.of("or-tos", XtOptionType.UINT8, O_OR_TOS).withExcl(TOS_ANY),
              XtOption.of("xor-tos", XtOptionType.UINT8, O_XOR_TOS).withExcl(TOS_ANY)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      int v = (int) arg.val();
      int[] valueMask =
          switch (arg.id()) {
            case O_SET_TOS -> new int[] {v, (int) arg.val(1)};
            case O_AND_TOS -> new int[] {0, ~v};
            case O_OR_TOS -> new int[] {v, v};
            default -> new int[] {v, 0};
          };
      d.data().put(0, (byte) valueMask[0]);
      d.data().put(1, (byte) valueMask[1]);
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      requireTosAction(d);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      int value = u8(d.data(), 0);
      int mask = u8(d.data(), 1);
      if (numeric) {
        out.append(String.format(" TOS set 0x%02x/0x%02x", value, mask));
      } else if (printSymbolic(" TOS set", value, mask, out)) {
        return;
      } else if (value == 0) {
        out.append(String.format(" TOS and 0x%02x", ~mask & 0xff));
      } else if (value == mask) {
        out.append(String.format(" TOS or 0x%02x", value));
      } else if (mask == 0) {
        out.append(String.format(" TOS xor 0x%02x", value));
      } else {
        out.append(String.format(" TOS set 0x%02x/0x%02x", value, mask));
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(String.format(" --set-tos 0x%02x/0x%02x", u8(d.data(), 0), u8(d.data(), 1)));
    }
  }
}

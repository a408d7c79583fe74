package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.u16;
import static bpfilterctl.core.iptables.ext.XtText.u8;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/** The targets that edit TCP headers: TCPMSS, TCPOPTSTRIP, SYNPROXY. */
final class TcpTargetCodecs {
  private TcpTargetCodecs() {}

  static final List<XtExtension> ALL = List.of(new Tcpmss(), new Tcpoptstrip(), new Synproxy());

  /** struct xt_tcpmss_info { u16 mss; }: 0xffff means clamp to the path MTU. */
  static final class Tcpmss extends AbstractXtExtension {
    private static final int O_SET_MSS = 0;
    private static final int O_CLAMP_MSS = 1;
    private static final int CLAMP_PMTU = 0xffff;

    Tcpmss() {
      super(
          ExtensionKind.TARGET,
          "TCPMSS",
          0,
          2,
          List.of(
              XtOption.of("set-mss", XtOptionType.UINT16, O_SET_MSS).withRange(0, 0xffff - 20),
              XtOption.flag("clamp-mss-to-pmtu", O_CLAMP_MSS)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      d.data().putShort(0, (short) (arg.id() == O_CLAMP_MSS ? CLAMP_PMTU : arg.val()));
    }

    @Override
    public void finalCheck(ExtData d) throws RuleException {
      if (d.seen() == 0) {
        throw RuleException.parameter("TCPMSS target: At least one parameter is required");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      int mss = u16(d.data(), 0);
      out.append(mss == CLAMP_PMTU ? " TCPMSS clamp to PMTU" : " TCPMSS set " + mss);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      int mss = u16(d.data(), 0);
      out.append(mss == CLAMP_PMTU ? " --clamp-mss-to-pmtu" : " --set-mss " + mss);
    }
  }

  /** struct xt_tcpoptstrip_target_info { u32 strip_bmap[8]; }: a bit per TCP option kind. */
  static final class Tcpoptstrip extends AbstractXtExtension {
    private static final String[] NAMES = {
      "wscale", "mss", "sack-permitted", "sack", "timestamp", "md5"
    };
    private static final int[] KINDS = {3, 2, 4, 5, 8, 19};

    Tcpoptstrip() {
      super(
          ExtensionKind.TARGET,
          "TCPOPTSTRIP",
          0,
          32,
          List.of(XtOption.of("strip-options", XtOptionType.STRING, 0)));
    }

    private static boolean test(ByteBuffer b, int kind) {
      return (b.getInt(kind / 32 * 4) & 1 << (kind % 32)) != 0;
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      for (String item : arg.arg().split(",", -1)) {
        int kind = 0;
        for (int i = 0; i < NAMES.length; i++) {
          if (NAMES[i].equals(item)) {
            kind = KINDS[i];
            break;
          }
        }
        if (kind == 0) {
          Long v = CNumbers.xtStrtoulStrict(item, 0, 0xff);
          if (v == null) {
            throw RuleException.parameter("Bad TCP option value \"" + item + "\"");
          }
          kind = v.intValue();
        }
        if (kind < 2) {
          throw RuleException.parameter("Option value may not be 0 or 1");
        }
        if (test(b, kind)) {
          throw RuleException.parameter("Option \"" + item + "\" already specified");
        }
        b.putInt(kind / 32 * 4, b.getInt(kind / 32 * 4) | 1 << (kind % 32));
      }
    }

    private static boolean empty(ByteBuffer b) {
      for (int i = 0; i < 32; i += 4) {
        if (b.getInt(i) != 0) {
          return false;
        }
      }
      return true;
    }

    private static void list(ByteBuffer b, boolean numeric, StringBuilder out) {
      String sep = "";
      for (int kind = 0; kind < 256; kind++) {
        if (!test(b, kind)) {
          continue;
        }
        out.append(sep);
        sep = ",";
        String name = null;
        for (int i = 0; !numeric && i < KINDS.length; i++) {
          if (KINDS[i] == kind) {
            name = NAMES[i];
          }
        }
        out.append(name != null ? name : Integer.toString(kind));
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      if (!empty(d.data())) {
        out.append(" TCPOPTSTRIP options ");
        list(d.data(), numeric, out);
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      if (!empty(d.data())) {
        out.append(" --strip-options ");
        list(d.data(), true, out);
      }
    }
  }

  /** struct xt_synproxy_info { u8 options; u8 wscale; u16 mss; }. */
  static final class Synproxy extends AbstractXtExtension {
    private static final int O_SACK_PERM = 0;
    private static final int O_TIMESTAMP = 1;
    private static final int O_WSCALE = 2;
    private static final int O_MSS = 3;
    private static final int O_ECN = 4;
    private static final int OPT_MSS = 0x01;
    private static final int OPT_WSCALE = 0x02;
    private static final int OPT_SACK_PERM = 0x04;
    private static final int OPT_TIMESTAMP = 0x08;
    private static final int OPT_ECN = 0x10;

    Synproxy() {
      super(
          ExtensionKind.TARGET,
          "SYNPROXY",
          0,
          4,
          List.of(
              XtOption.flag("sack-perm", O_SACK_PERM),
              XtOption.flag("timestamp", O_TIMESTAMP),
              XtOption.of("wscale", XtOptionType.UINT32, O_WSCALE),
              XtOption.of("mss", XtOptionType.UINT32, O_MSS),
              XtOption.flag("ecn", O_ECN)));
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      ByteBuffer b = d.data();
      int options = u8(b, 0);
      switch (arg.id()) {
        case O_SACK_PERM -> options |= OPT_SACK_PERM;
        case O_TIMESTAMP -> options |= OPT_TIMESTAMP;
        case O_WSCALE -> {
          options |= OPT_WSCALE;
          b.put(1, (byte) arg.val());
        }
        case O_MSS -> {
          options |= OPT_MSS;
          b.putShort(2, (short) arg.val());
        }
        case O_ECN -> options |= OPT_ECN;
        default -> {}
      }
      b.put(0, (byte) options);
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      ByteBuffer b = d.data();
      int o = u8(b, 0);
      out.append(" SYNPROXY ");
      if ((o & OPT_SACK_PERM) != 0) {
        out.append("sack-perm ");
      }
      if ((o & OPT_TIMESTAMP) != 0) {
        out.append("timestamp ");
      }
      if ((o & OPT_WSCALE) != 0) {
        out.append("wscale ").append(u8(b, 1)).append(' ');
      }
      if ((o & OPT_MSS) != 0) {
        out.append("mss ").append(u16(b, 2)).append(' ');
      }
      if ((o & OPT_ECN) != 0) {
        out.append("ecn ");
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      ByteBuffer b = d.data();
      int o = u8(b, 0);
      if ((o & OPT_SACK_PERM) != 0) {
        out.append(" --sack-perm");
      }
      if ((o & OPT_TIMESTAMP) != 0) {
        out.append(" --timestamp");
      }
      if ((o & OPT_WSCALE) != 0) {
        out.append(" --wscale ").append(u8(b, 1));
      }
      if ((o & OPT_MSS) != 0) {
        out.append(" --mss ").append(u16(b, 2));
      }
      if ((o & OPT_ECN) != 0) {
        out.append(" --ecn");
      }
    }
  }
}

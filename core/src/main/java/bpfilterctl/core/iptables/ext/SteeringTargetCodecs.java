package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.cString;
import static bpfilterctl.core.iptables.ext.XtText.getBe16;
import static bpfilterctl.core.iptables.ext.XtText.hex;
import static bpfilterctl.core.iptables.ext.XtText.ipv4;
import static bpfilterctl.core.iptables.ext.XtText.putBe16;
import static bpfilterctl.core.iptables.ext.XtText.putCString;

import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The targets that send a packet somewhere else without NAT: TEE (a copy to a gateway) and TPROXY
 * (to a local socket), revisions 0 and 1.
 */
final class SteeringTargetCodecs {
  private SteeringTargetCodecs() {}

  static final List<XtExtension> ALL = List.of(new Tee(), new Tproxy(0), new Tproxy(1));

  /** struct xt_tee_tginfo { union nf_inet_addr gw; char oif[16]; kernel pointer }. */
  static final class Tee extends AbstractXtExtension {
    private static final int O_GATEWAY = 0;
    private static final int O_OIF = 1;
    private static final int OIF = 16;
    private static final int OIF_SIZE = 16;

    Tee() {
      super(
          ExtensionKind.TARGET,
          "TEE",
          1,
          40,
          List.of(
              XtOption.mandatory("gateway", XtOptionType.HOST, O_GATEWAY),
              XtOption.of("oif", XtOptionType.STRING, O_OIF).withSize(OIF_SIZE)));
    }

    @Override
    public int userSpaceSize() {
      return 32;
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      if (arg.id() == O_GATEWAY) {
        d.data().put(0, arg.addr(), 0, 4);
      } else {
        putCString(d.data(), OIF, OIF_SIZE, arg.arg());
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      String gw = ipv4(d.data(), 0);
      out.append(" TEE gw:").append(numeric ? gw : XtText.hostName(gw));
      String oif = cString(d.data(), OIF, OIF_SIZE);
      if (!oif.isEmpty()) {
        out.append(" oif=").append(oif);
      }
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      out.append(" --gateway ").append(ipv4(d.data(), 0));
      String oif = cString(d.data(), OIF, OIF_SIZE);
      if (!oif.isEmpty()) {
        out.append(" --oif ").append(oif);
      }
    }
  }

  /**
   * struct xt_tproxy_target_info { u32 mark_mask, mark_value; __be32 laddr; __be16 lport; } and v1,
   * where laddr is a 16-byte union nf_inet_addr.
   */
  static final class Tproxy extends AbstractXtExtension {
    private static final int P_PORT = 0;
    private static final int P_ADDR = 1;
    private static final int P_MARK = 2;
    private final int portAt;

    Tproxy(int revision) {
      super(
          ExtensionKind.TARGET,
          "TPROXY",
          revision,
          revision == 0 ? 14 : 26,
          List.of(
              XtOption.mandatory("on-port", XtOptionType.PORT, P_PORT),
              XtOption.of("on-ip", XtOptionType.HOST, P_ADDR),
              XtOption.of("tproxy-mark", XtOptionType.MARKMASK32, P_MARK)));
      this.portAt = revision == 0 ? 12 : 24;
    }

    @Override
    public void parse(XtArg arg, ExtData d) {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case P_PORT -> putBe16(b, portAt, (int) arg.val());
        case P_ADDR -> b.put(8, arg.addr(), 0, 4);
        case P_MARK -> {
          b.putInt(4, (int) arg.val());
          b.putInt(0, (int) arg.val(1));
        }
        default -> {}
      }
    }

    private void describe(ExtData d, boolean save, StringBuilder out) {
      ByteBuffer b = d.data();
      String addr = ipv4(b, 8);
      int port = getBe16(b, portAt);
      String mark = "0x" + hex(b.getInt(4)) + "/0x" + hex(b.getInt(0));
      if (save) {
        out.append(" --on-port ").append(port);
        out.append(" --on-ip ").append(addr);
        out.append(" --tproxy-mark ").append(mark);
      } else {
        out.append(" TPROXY redirect ").append(addr).append(':').append(port);
        out.append(" mark ").append(mark);
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
}

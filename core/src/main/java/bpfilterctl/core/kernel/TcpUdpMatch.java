package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.Proto;
import bpfilterctl.core.uapi.XtTcp;
import bpfilterctl.core.uapi.XtUdp;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** xt_tcpudp.c: tcp (struct xt_tcp, 12 bytes), udp and udplite (struct xt_udp, 10 bytes). */
final class TcpUdpMatch {
  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("tcp", 0, XtTcp.SIZE).ipv4().proto(Proto.TCP).check(TcpUdpMatch::checkTcp),
          Xt.match("udp", 0, XtUdp.SIZE).ipv4().proto(Proto.UDP).check(TcpUdpMatch::checkUdp),
          Xt.match("udplite", 0, XtUdp.SIZE)
              .ipv4()
              .proto(Proto.UDPLITE)
              .check(TcpUdpMatch::checkUdp));

  private TcpUdpMatch() {}

  static Optional<Errno> checkTcp(ExtensionContext ctx, ByteBuffer d) {
    return Check.einvalIf((d.get(XtTcp.OFF_INVFLAGS) & ~XtTcp.INV_MASK) != 0);
  }

  static Optional<Errno> checkUdp(ExtensionContext ctx, ByteBuffer d) {
    return Check.einvalIf((d.get(XtUdp.OFF_INVFLAGS) & ~XtUdp.INV_MASK) != 0);
  }
}

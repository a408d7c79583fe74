package bpfilterctl.core.abi.ext;

import bpfilterctl.core.mbox.Errno;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;

/** xt_tcpudp.c: tcp (struct xt_tcp, 12 bytes), udp and udplite (struct xt_udp, 10 bytes). */
final class TcpUdpMatch {
  static final int XT_TCP_INV_MASK = 0x0f;
  static final int XT_UDP_INV_MASK = 0x03;

  static final List<KernelExtension> ALL =
      List.of(
          Xt.match("tcp", 0, 12).ipv4().proto(Proto.TCP).check(TcpUdpMatch::checkTcp),
          Xt.match("udp", 0, 10).ipv4().proto(Proto.UDP).check(TcpUdpMatch::checkUdp),
          Xt.match("udplite", 0, 10).ipv4().proto(Proto.UDPLITE).check(TcpUdpMatch::checkUdp));

  private TcpUdpMatch() {}

  /** xt_tcp.invflags is byte 11. */
  static Optional<Errno> checkTcp(ExtensionContext ctx, ByteBuffer d) {
    return Check.einvalIf((d.get(11) & ~XT_TCP_INV_MASK) != 0);
  }

  /** xt_udp.invflags is byte 8. */
  static Optional<Errno> checkUdp(ExtensionContext ctx, ByteBuffer d) {
    return Check.einvalIf((d.get(8) & ~XT_UDP_INV_MASK) != 0);
  }
}

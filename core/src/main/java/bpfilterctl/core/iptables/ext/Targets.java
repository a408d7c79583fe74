package bpfilterctl.core.iptables.ext;

import java.util.List;
import java.util.stream.Stream;

/**
 * Every target extension's client side (the verdicts ACCEPT/DROP/RETURN, jumps and ERROR are the
 * front-end's): each revision iptables 1.8.9 registers for IPv4, one family per class.
 */
public final class Targets {
  private Targets() {}

  public static final List<XtExtension> ALL =
      Stream.of(
              RejectTargetCodec.ALL,
              LogTargetCodecs.ALL,
              MarkTargetCodecs.ALL,
              NatTargetCodecs.ALL,
              TcpTargetCodecs.ALL,
              CtTargetCodecs.ALL,
              QueueTargetCodecs.ALL,
              IpHeaderTargetCodecs.ALL,
              MiscTargetCodecs.ALL,
              SteeringTargetCodecs.ALL,
              HmarkTargetCodec.ALL,
              SetTargetCodecs.ALL)
          .flatMap(List::stream)
          .toList();
}

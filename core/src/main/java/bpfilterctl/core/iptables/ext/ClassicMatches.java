package bpfilterctl.core.iptables.ext;

import java.util.List;
import java.util.stream.Stream;

/**
 * The matches of the first extension area: the protocol and state matches real rulesets use most
 * (tcp, udp, icmp, multiport, conntrack/state, ...), and the other classic xt/ipt matches.
 */
public final class ClassicMatches {
  private ClassicMatches() {}

  public static final List<XtExtension> ALL =
      Stream.of(
              TcpUdpMatches.ALL,
              IcmpMatch.ALL,
              MultiportMatch.ALL,
              ConntrackMatches.ALL,
              CommentMatch.ALL,
              LimitMatch.ALL,
              MarkMatches.ALL,
              MacMatch.ALL,
              IprangeMatch.ALL,
              AddrtypeMatch.ALL,
              OwnerMatch.ALL,
              RecentMatch.ALL,
              HashlimitMatch.ALL,
              PacketFieldMatches.ALL,
              HelperMatch.ALL,
              CounterMatches.ALL,
              PhysdevMatch.ALL,
              SocketMatch.ALL,
              StringMatch.ALL,
              TimeMatch.ALL,
              PolicyMatch.ALL,
              U32Match.ALL,
              SetMatch.ALL)
          .flatMap(List::stream)
          .toList();
}

package bpfilterctl.core.kernel;

import java.util.List;
import java.util.stream.Stream;

/** The list of every kernel-side extension implementation; one class per extension family. */
public final class KernelExtensions {
  private KernelExtensions() {}

  public static List<KernelExtension> all() {
    return Stream.of(
            StandardTargets.ALL,
            TcpUdpMatch.ALL,
            IcmpMatch.ALL,
            MultiportMatch.ALL,
            ConntrackMatch.ALL,
            CommentMatch.ALL,
            LimitMatch.ALL,
            SimpleMatches.ALL,
            OwnerMatch.ALL,
            RecentMatch.ALL,
            StatisticMatch.ALL,
            AddrtypeMatch.ALL,
            ConnMatches.ALL,
            HashlimitMatch.ALL,
            ProtoMatches.ALL,
            HeaderMatches.ALL,
            MiscMatches.ALL,
            ObjectMatches.ALL,
            RejectTarget.ALL,
            LogTargets.ALL,
            MarkTargets.ALL,
            TcpTargets.ALL,
            CtTarget.ALL,
            NatTarget.ALL,
            MangleTargets.ALL,
            MiscTargets.ALL,
            SetExtensions.ALL,
            IfaceMatches.ALL,
            BpfMatch.ALL)
        .flatMap(List::stream)
        .toList();
  }
}

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
            IcmpCheck.ALL,
            MultiportCheck.ALL,
            ConntrackMatch.ALL,
            CommentCheck.ALL,
            LimitCheck.ALL,
            SimpleMatches.ALL,
            OwnerCheck.ALL,
            RecentCheck.ALL,
            StatisticMatch.ALL,
            AddrtypeCheck.ALL,
            ConnMatches.ALL,
            HashlimitCheck.ALL,
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
            BpfCheck.ALL)
        .flatMap(List::stream)
        .toList();
  }
}

package bpfilterctl.core.iptables.ext;

import java.util.ArrayList;
import java.util.List;

/**
 * The matches of the second extension area: the IPsec header matches (ah, esp, ipcomp), sctp and
 * dccp, and the single-purpose ones (cgroup, cluster, connlabel, cpu, devgroup, nfacct, osf, quota,
 * rateest, realm, rpfilter, bpf, ipvs). iptables 1.8.9 has no l2tp extension, so neither do we.
 */
public final class SpecialMatches {
  private SpecialMatches() {}

  public static final List<XtExtension> ALL = all();

  private static List<XtExtension> all() {
    List<XtExtension> all = new ArrayList<>(SpiMatches.ALL);
    all.add(SctpMatch.INSTANCE);
    all.add(DccpMatch.INSTANCE);
    all.addAll(CgroupMatch.ALL);
    all.add(ClusterMatch.INSTANCE);
    all.add(ConnlabelMatch.INSTANCE);
    all.add(CpuMatch.INSTANCE);
    all.add(DevgroupMatch.INSTANCE);
    all.addAll(NfacctMatch.ALL);
    all.add(OsfMatch.INSTANCE);
    all.add(QuotaMatch.INSTANCE);
    all.add(RateestMatch.INSTANCE);
    all.add(RealmMatch.INSTANCE);
    all.add(RpfilterMatch.INSTANCE);
    all.addAll(BpfMatch.ALL);
    all.add(IpvsMatch.INSTANCE);
    return List.copyOf(all);
  }
}

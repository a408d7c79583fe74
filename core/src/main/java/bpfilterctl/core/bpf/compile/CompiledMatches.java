package bpfilterctl.core.bpf.compile;

import java.util.Map;
import java.util.Set;

/**
 * The matches the compiler turns into BPF, each at the revisions of the umh's kernel registry it
 * compiles (among them the one iptables 1.8.9 sends). Another revision is refused by name.
 */
final class CompiledMatches {
  static final Map<String, Set<Integer>> REVISIONS =
      Map.ofEntries(
          Map.entry("tcp", Set.of(0)),
          Map.entry("udp", Set.of(0)),
          Map.entry("udplite", Set.of(0)),
          Map.entry("icmp", Set.of(0)),
          Map.entry("multiport", Set.of(1)),
          Map.entry("iprange", Set.of(1)),
          Map.entry("mark", Set.of(1)),
          Map.entry("comment", Set.of(0)),
          Map.entry("length", Set.of(0)),
          Map.entry("ttl", Set.of(0)),
          Map.entry("tos", Set.of(1)),
          Map.entry("dscp", Set.of(0)),
          Map.entry("pkttype", Set.of(0)),
          Map.entry("limit", Set.of(0)),
          Map.entry("recent", Set.of(0, 1)),
          Map.entry("owner", Set.of(OwnerMatch.REVISION)),
          Map.entry("addrtype", Set.of(0, 1)),
          Map.entry("conntrack", Set.of(1, 2, 3)),
          Map.entry("state", Set.of(0)));

  private CompiledMatches() {}

  static boolean compiles(String name, int revision) {
    return REVISIONS.getOrDefault(name, Set.of()).contains(revision);
  }
}

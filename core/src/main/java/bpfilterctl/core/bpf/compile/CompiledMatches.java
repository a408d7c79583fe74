package bpfilterctl.core.bpf.compile;

import java.util.Map;

/**
 * The matches the compiler turns into BPF, each at the one revision the umh's kernel registry holds
 * for it (the revision iptables 1.8.9 then sends). Another revision is refused by name.
 */
final class CompiledMatches {
  static final Map<String, Integer> REVISION =
      Map.ofEntries(
          Map.entry("tcp", 0),
          Map.entry("udp", 0),
          Map.entry("udplite", 0),
          Map.entry("icmp", 0),
          Map.entry("multiport", 1),
          Map.entry("iprange", 1),
          Map.entry("mark", 1),
          Map.entry("comment", 0),
          Map.entry("length", 0),
          Map.entry("ttl", 0),
          Map.entry("tos", 1),
          Map.entry("dscp", 0),
          Map.entry("pkttype", 0));

  private CompiledMatches() {}

  static boolean compiles(String name, int revision) {
    Integer r = REVISION.get(name);
    return r != null && r == revision;
  }
}

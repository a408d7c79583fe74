package bpfilterctl.core.bpf.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.LocalRoutes.Route;
import bpfilterctl.core.bpf.enforce.LocalRoutes.Trie;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which route of the local table's trie each prefix's LPM entry holds. */
class LocalRoutesTest {
  static final int LOCAL = 2;
  static final int BROADCAST = 3;
  static final int UNICAST = 1;
  static final int BLACKHOLE = 6;
  static final int ANY = -1;

  static int a(int x, int y, int z, int w) {
    return (x << 24) | (y << 16) | (z << 8) | w;
  }

  @Test
  void mergedWhenMainAndLocalPrintTheSameTrie() {
    String same = "  +-- 0.0.0.0/1 2 0 2\n     |-- 10.5.0.1\n        /32 host LOCAL\n";
    assertThat(Trie.parse("Main:\n" + same + "Local:\n" + same)).isEqualTo(new Trie(true, true));
    assertThat(Trie.parse("Main:\n  |-- 10.5.0.0\nLocal:\n" + same))
        .isEqualTo(new Trie(true, false));
    assertThat(Trie.parse("Main:\n" + same)).isEqualTo(new Trie(false, false));
  }

  @Test
  void noLocalTableMakesEveryAddressBroadcast() {
    Map<Long, Long> e = LocalRoutes.entries(List.of(), new Trie(false, false));
    assertThat(e)
        .containsExactly(Map.entry(LocalRoutes.key(0, 0), LocalRoutes.value(BROADCAST, ANY)));
  }

  @Test
  void firstUsableAliasPerPrefixLocalBeforeMain() {
    List<Route> routes =
        List.of(
            new Route(254, a(10, 0, 0, 0), 24, 0, UNICAST, 2, true),
            new Route(254, a(10, 1, 0, 1), 32, 0, LOCAL, 2, true), // main, merged only
            new Route(255, a(10, 0, 0, 1), 32, 0x10, BROADCAST, 2, true), // tos: never taken
            new Route(255, a(10, 0, 0, 1), 32, 0, LOCAL, 2, false), // dead: passed over
            new Route(255, a(10, 0, 0, 1), 32, 0, LOCAL, 3, true),
            new Route(255, a(10, 0, 0, 1), 32, 0, BROADCAST, 4, true), // not first
            new Route(255, a(10, 9, 0, 0), 16, 0, BLACKHOLE, 0, true),
            new Route(100, a(10, 2, 0, 0), 16, 0, LOCAL, 2, true)); // another table
    Map<Long, Long> merged = LocalRoutes.entries(routes, new Trie(true, true));
    assertThat(merged)
        .containsExactly(
            Map.entry(LocalRoutes.key(32, a(10, 0, 0, 1)), LocalRoutes.value(LOCAL, 3)),
            Map.entry(LocalRoutes.key(16, a(10, 9, 0, 0)), LocalRoutes.value(UNICAST, ANY)),
            Map.entry(LocalRoutes.key(24, a(10, 0, 0, 0)), LocalRoutes.value(UNICAST, 2)),
            Map.entry(LocalRoutes.key(32, a(10, 1, 0, 1)), LocalRoutes.value(LOCAL, 2)));
    Map<Long, Long> alone = LocalRoutes.entries(routes, new Trie(true, false));
    assertThat(alone).hasSize(2).doesNotContainKey(LocalRoutes.key(32, a(10, 1, 0, 1)));
  }
}

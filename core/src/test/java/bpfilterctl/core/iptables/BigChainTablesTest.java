package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.LegacyKernel.Outcome;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Tables of many chains: the front-end keeps its chains indexed, so building, reading and editing
 * them takes time in proportion to their number (100,000 empty chains took over 300 s when every
 * lookup walked the list). The order and the answers are the kernel's with iptables-legacy. verify
 * runs a tenth of the sizes; the full ones are soaks.
 */
class BigChainTablesTest {
  private static String chains(List<String> names) {
    StringBuilder s = new StringBuilder("*filter\n");
    names.forEach(n -> s.append(':').append(n).append(" - [0:0]\n"));
    return s.toString();
  }

  private static List<String> names(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(String.format("c%06d", i));
    }
    return out;
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void tenThousandChainsInAnyOrderRestoreListAndEdit() throws Exception {
    chainsInAnyOrderRestoreListAndEdit(10_000);
  }

  @Test
  @Tag("soak")
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void hundredThousandChainsInAnyOrderRestoreListAndEdit() throws Exception {
    chainsInAnyOrderRestoreListAndEdit(100_000);
  }

  private static void chainsInAnyOrderRestoreListAndEdit(int count) throws Exception {
    List<String> sorted = names(count);
    String middle = sorted.get(count / 2);
    List<String> shuffled = new ArrayList<>(sorted);
    Collections.shuffle(shuffled, new Random(17));
    OurFrontEnd ours = new OurFrontEnd();
    assertThat(ours.restore(chains(shuffled) + "COMMIT\n").status()).isZero();
    assertThat(ours.iptables("-N", "b-new").status()).isZero();
    assertThat(ours.iptables("-E", middle, "zz").status()).isZero();
    assertThat(ours.iptables("-X", "c000001").status()).isZero();
    List<String> want = new ArrayList<>(sorted);
    want.remove(middle);
    want.remove("c000001");
    want.add("b-new");
    want.add("zz");
    Collections.sort(want);
    List<String> listed =
        ours.iptables("-S").out().lines().filter(l -> l.startsWith("-N ")).toList();
    assertThat(listed).isEqualTo(want.stream().map(n -> "-N " + n).toList());
    assertThat(ours.iptables("-X").status()).isZero();
    assertThat(ours.iptables("-S").out()).isEqualTo(legacyEmptyFilter());
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void fourThousandDeepJumpChainRestoresAndRefusesItsLoop() throws Exception {
    deepJumpChainRestoresAndRefusesItsLoop(4_000);
  }

  @Test
  @Tag("soak")
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void fortyThousandDeepJumpChainRestoresAndRefusesItsLoop() throws Exception {
    deepJumpChainRestoresAndRefusesItsLoop(40_000);
  }

  private static void deepJumpChainRestoresAndRefusesItsLoop(int n) throws Exception {
    List<String> names = names(n);
    String last = names.get(n - 1);
    StringBuilder s = new StringBuilder(chains(names));
    for (int i = 0; i + 1 < names.size(); i++) {
      s.append("-A ").append(names.get(i)).append(" -j ").append(names.get(i + 1)).append('\n');
    }
    OurFrontEnd ours = new OurFrontEnd();
    assertThat(ours.restore(s + "COMMIT\n").status()).isZero();
    assertThat(ours.iptables("-A", "INPUT", "-j", "c000000").status()).isZero();
    Outcome loop = ours.iptables("-A", last, "-j", "c000000");
    assertThat(loop.status()).isEqualTo(1);
    assertThat(loop.err()).isEqualTo("iptables: Too many levels of symbolic links.\n");
    List<String> rules = ours.iptables("-S").out().lines().filter(l -> l.startsWith("-A")).toList();
    assertThat(rules).hasSize(n).startsWith("-A INPUT -j c000000");
  }

  /** The same edits, small enough for the kernel to answer in a few seconds. */
  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shuffledChainsEditedAsOnTheKernel() throws Exception {
    String why = LegacyKernel.unavailable();
    Require.nothingMissing(why);
    List<String> shuffled = new ArrayList<>(names(2_000));
    Collections.shuffle(shuffled, new Random(3));
    StringBuilder input = new StringBuilder(chains(shuffled));
    for (int i = 0; i + 1 < shuffled.size(); i += 2) {
      input.append("-A ").append(shuffled.get(i)).append(" -j ").append(shuffled.get(i + 1));
      input.append('\n');
    }
    input.append("COMMIT\n");
    String[][] edits = {
      {"-N", "B"},
      {"-E", shuffled.get(1), "a-renamed"},
      {"-X", shuffled.get(2)},
      {"-X", shuffled.get(3)},
      {"-E", "B", "zzz"},
      {"-N", "c001000"},
      {"-A", "zzz", "-j", "B"},
      {"-L", "a-renamed", "-n"},
      {"-S"}
    };
    StringBuilder script = new StringBuilder("iptables-legacy-restore; echo \"rc $?\"\n");
    for (String[] e : edits) {
      script
          .append("iptables-legacy ")
          .append(String.join(" ", e))
          .append(" 2>&1; echo \"rc $?\"\n");
    }
    Outcome kernel = LegacyKernel.run(script.toString(), input.toString());
    OurFrontEnd ours = new OurFrontEnd();
    StringBuilder got = new StringBuilder();
    Outcome r = ours.restore(input.toString());
    got.append(r.out()).append(r.err()).append("rc ").append(r.status()).append('\n');
    for (String[] e : edits) {
      Outcome o = ours.iptables(e);
      got.append(o.out()).append(o.err()).append("rc ").append(o.status()).append('\n');
    }
    assertThat(got.toString()).isEqualTo(kernel.out());
  }

  private static String legacyEmptyFilter() {
    return "-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n";
  }
}

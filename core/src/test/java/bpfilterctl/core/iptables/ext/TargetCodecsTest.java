package bpfilterctl.core.iptables.ext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.uapi.Abi;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtEntryTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Properties every target codec keeps, beyond the recorded cases. */
class TargetCodecsTest {
  @Test
  void everyTargetIsOneKindOneNameRevisionAndItsOptionIdsAreDistinct() {
    Set<String> seen = new HashSet<>();
    for (XtExtension e : Targets.ALL) {
      assertThat(e.kind()).isEqualTo(ExtensionKind.TARGET);
      assertThat(seen.add(e.name() + "/" + e.realName() + "/" + e.revision()))
          .as("registered once: %s", e)
          .isTrue();
      Set<Integer> ids = new HashSet<>();
      Set<String> names = new HashSet<>();
      for (XtOption o : e.options()) {
        assertThat(o.id()).isBetween(0, 31);
        assertThat(ids.add(o.id())).as("%s id %d", e, o.id()).isTrue();
        assertThat(names.add(o.name())).as("%s --%s", e, o.name()).isTrue();
      }
    }
  }

  @Test
  void theDataSizesAgreeWithTheModulesOwnTargets() {
    ExtensionRegistry kernel = ExtensionRegistry.kernel();
    for (XtExtension e : Targets.ALL) {
      kernel
          .find(ExtensionKind.TARGET, e.realName(), e.revision())
          .filter(k -> k.dataSize() >= 0)
          .ifPresent(
              k ->
                  assertThat(Abi.align(e.dataSize()))
                      .as("%s", e)
                      .isEqualTo(Abi.align(k.dataSize())));
    }
  }

  /** -L and -S show whatever the kernel hands back, so no blob content may make them fail. */
  @Test
  void printingAndSavingAnyBytesNeverFails() {
    Random random = new Random(42);
    for (XtExtension e : Targets.ALL) {
      int size = Abi.align(e.dataSize());
      List<byte[]> blobs = new ArrayList<>();
      blobs.add(new byte[size]);
      byte[] ones = new byte[size];
      Arrays.fill(ones, (byte) -1);
      blobs.add(ones);
      for (int i = 0; i < 50; i++) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        blobs.add(b);
      }
      for (byte[] b : blobs) {
        ExtData d = new ExtData(b, RuleDriver.ip(6, 0), "filter", RuleDriver.LOOKUPS);
        assertThatCode(
                () -> {
                  e.print(d, true, new StringBuilder());
                  e.print(d, false, new StringBuilder());
                  e.save(d, new StringBuilder());
                  e.alias(d);
                })
            .as("%s on %s", e, java.util.HexFormat.of().formatHex(b))
            .doesNotThrowAnyException();
      }
    }
  }

  /**
   * What -S prints parses back to a rule that saves as the same text (what iptables-restore of a
   * save relies on), for every recorded rule the kernel accepted. The bytes may differ where
   * iptables' own do: HMARK's tuple words fill 16-byte masks that the prefix options fill 4 of.
   * iptables cannot re-read SNAT's "/0" port base either (revision 0 has no room for the base).
   */
  @Test
  void savedTextParsesBackToTheSameRule() {
    int checked = 0;
    for (OracleCases.Case c : TargetsOracleTest.cases()) {
      if (c.rc() != 0 || TargetsOracleTest.parse(c.table(), c.rule()).unsupported() != null) {
        continue;
      }
      IptEntry e = RuleDriver.ruleEntry(c.replace(), c.chain());
      XtEntryTarget t = e.target();
      String[] printed = TargetsOracleTest.print(t, e.ip(), c.table(), true);
      if (printed[1].matches(".*:[0-9]+-[0-9]+/0( .*)?")) {
        continue; // SNAT's compat struct keeps a shift's flag but not its base: iptables too
      }
      String proto = e.ip().proto() == 0 ? "" : "-p " + e.ip().proto() + " ";
      TargetsOracleTest.Outcome again =
          TargetsOracleTest.parse(c.table(), proto + printed[1].trim());
      assertThat(again.error()).as("%s re-parsed from%s", c.rule(), printed[1]).isNull();
      byte[] bytes = Arrays.copyOf(again.data().bytes(), Abi.align(again.ext().dataSize()));
      XtEntryTarget reparsed = new XtEntryTarget(t.name(), t.revision(), bytes);
      assertThat(TargetsOracleTest.print(reparsed, e.ip(), c.table(), true))
          .as("%s re-parsed from%s", c.rule(), printed[1])
          .containsExactly(printed);
      checked++;
    }
    assertThat(checked).isGreaterThan(250);
  }
}

package bpfilterctl.core.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.uapi.IptReplace;
import org.junit.jupiter.api.Test;

class StructuralEntryRendererTest {
  private final StructuralEntryRenderer r = new StructuralEntryRenderer();

  @Test
  void printsChainsPoliciesAndRulesInIptablesSaveShape() {
    IptReplace t = TrafficFixtures.filter(0);
    assertThat(r.render("filter", TableLayout.of(t), t.entryList()))
        .containsExactly(
            "*filter",
            ":INPUT ACCEPT [0:0]",
            ":FORWARD DROP [0:0]",
            ":OUTPUT ACCEPT [0:0]",
            ":mychain - [0:0]",
            "[0:0] -A INPUT -s 10.0.0.0/8 -i eth+ -p tcp -m tcp[48] -j ACCEPT",
            "[0:0] -A INPUT -j mychain",
            "[0:0] -A mychain -j DROP",
            "COMMIT");
  }

  @Test
  void withoutTheLayoutBuiltInChainsAreUnnamedButUserChainsAreNot() {
    IptReplace t = TrafficFixtures.filter(0);
    assertThat(r.render("filter", TableLayout.UNKNOWN, t.entryList()))
        .contains(
            "[0:0] -A ? -s 10.0.0.0/8 -i eth+ -p tcp -m tcp[48] -j ACCEPT",
            "[0:0] -A ? -j DROP",
            ":mychain - [0:0]",
            "[0:0] -A mychain -j DROP");
  }
}

package bpfilterctl.core.bpf.compile;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.kernel.KernelExtension;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the compiler claims to compile agrees with the umh's kernel registry: GET_REVISION under
 * enforcement answers from the registry for the names {@link FilterCompiler#compilesMatch(String)}
 * offers, so every revision the registry accepts for such a name must compile.
 */
class CompiledMatchesTest {
  private static final ExtensionRegistry REGISTRY = ExtensionRegistry.kernel();

  @Test
  void everyRegisteredRevisionOfAnOfferedMatchCompiles() {
    assertThat(CompiledMatches.REVISIONS.keySet())
        .contains(
            "multiport",
            "iprange",
            "mark",
            "comment",
            "length",
            "ttl",
            "tos",
            "dscp",
            "pkttype",
            "limit",
            "owner",
            "addrtype");
    for (String name : CompiledMatches.REVISIONS.keySet()) {
      assertThat(FilterCompiler.compilesMatch(name)).isTrue();
      List<KernelExtension> revisions = REGISTRY.revisions(ExtensionKind.MATCH, name);
      assertThat(revisions).as(name).isNotEmpty();
      for (KernelExtension e : revisions) {
        assertThat(FilterCompiler.compilesMatch(name, e.revision()))
            .as("%s revision %d", name, e.revision())
            .isTrue();
        assertThat(EntryTests.supported(new XtEntryMatch(name, e.revision(), new byte[0])))
            .isTrue();
      }
    }
  }

  @Test
  void otherRevisionsAndNamesAreNotCompiled() {
    assertThat(FilterCompiler.compilesMatch("multiport", 0)).isFalse();
    assertThat(FilterCompiler.compilesMatch("tos", 0)).isFalse();
    assertThat(FilterCompiler.compilesMatch("mark", 0)).isFalse();
    assertThat(FilterCompiler.compilesMatch("owner", 0)).isFalse();
    assertThat(FilterCompiler.compilesMatch("statistic")).isFalse();
    assertThat(FilterCompiler.compilesMatch("statistic", 0)).isFalse();
    assertThat(REGISTRY.revisions(ExtensionKind.MATCH, "statistic")).isNotEmpty();
  }
}

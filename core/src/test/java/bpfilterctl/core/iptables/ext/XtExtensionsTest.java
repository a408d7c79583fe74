package bpfilterctl.core.iptables.ext;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.uapi.ExtensionKind;
import org.junit.jupiter.api.Test;

class XtExtensionsTest {
  private final XtExtensions all = XtExtensions.standard();

  @Test
  void candidatesComeHighestRevisionFirst() {
    assertThat(all.candidates(ExtensionKind.MATCH, "state"))
        .extracting(XtExtension::revision)
        .containsExactly(3, 2, 1, 0);
    assertThat(all.candidates(ExtensionKind.MATCH, "state").get(0).realName())
        .isEqualTo("conntrack");
    assertThat(all.candidates(ExtensionKind.MATCH, "nosuch")).isEmpty();
  }

  @Test
  void blobsPrintThroughTheExtensionOfTheirRealName() {
    assertThat(all.forBlob(ExtensionKind.MATCH, "conntrack", 3))
        .get()
        .extracting(XtExtension::name)
        .isEqualTo("conntrack");
    assertThat(all.forBlob(ExtensionKind.MATCH, "state", 0))
        .get()
        .extracting(XtExtension::realName)
        .isEqualTo("state");
    assertThat(all.forBlob(ExtensionKind.MATCH, "conntrack", 9)).isEmpty();
  }

  @Test
  void optionNamesForCompletion() {
    assertThat(all.optionNames(ExtensionKind.MATCH, "tcp")).contains("dport", "tcp-flags", "syn");
    assertThat(all.allOptionNames())
        .contains("ctstate", "comment", "hashlimit-name")
        .doesNotHaveDuplicates();
    assertThat(all.names(ExtensionKind.MATCH)).contains("tcp", "udp", "state", "conntrack");
  }

  @Test
  void everyOptionIdFitsTheSeenSet() {
    for (XtExtension e : all.all()) {
      for (XtOption o : e.options()) {
        assertThat(o.id()).as(e + " --" + o.name()).isBetween(0, 31);
      }
    }
  }
}

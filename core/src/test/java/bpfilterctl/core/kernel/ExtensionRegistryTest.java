package bpfilterctl.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.uapi.Errno;
import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.Hook;
import bpfilterctl.core.uapi.Proto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The registry's own rules, on small hand-made cases (the kernel oracle covers the rest). */
class ExtensionRegistryTest {
  private static final ExtensionRegistry REGISTRY = ExtensionRegistry.kernel();
  private static final ExtensionContext FILTER_INPUT_TCP =
      new ExtensionContext("filter", Hook.INPUT.bit(), Proto.TCP, 0, 0);

  @Test
  void everyRegistrationIsUnique() {
    Set<String> seen = new HashSet<>();
    for (KernelExtension e : KernelExtensions.all()) {
      assertThat(seen.add(e.kind() + " " + e.name() + " " + e.revision() + " " + e.family()))
          .as("duplicate %s %s rev %d", e.kind(), e.name(), e.revision())
          .isTrue();
      assertThat(e.userSize()).isBetween(0, ExtensionRegistry.xtAlign(Math.max(e.dataSize(), 0)));
    }
  }

  @Test
  void theCoreListIsThere() {
    for (String m :
        List.of(
            "tcp",
            "udp",
            "icmp",
            "multiport",
            "conntrack",
            "state",
            "comment",
            "limit",
            "mac",
            "iprange",
            "length",
            "pkttype",
            "mark",
            "owner",
            "ttl",
            "recent",
            "statistic",
            "addrtype")) {
      assertThat(REGISTRY.revisions(ExtensionKind.MATCH, m)).as(m).isNotEmpty();
    }
    for (String t :
        List.of(
            "",
            "ERROR",
            "REJECT",
            "LOG",
            "MARK",
            "CONNMARK",
            "TCPMSS",
            "CT",
            "DNAT",
            "SNAT",
            "MASQUERADE",
            "REDIRECT")) {
      assertThat(REGISTRY.revisions(ExtensionKind.TARGET, t)).as(t).isNotEmpty();
    }
  }

  @Test
  void wrongRevisionIsEprototypeOnlyForFamilyIndependentNames() {
    // tcp lives in the IPv4 list: the kernel's second search (UNSPEC) forgets it found the name
    assertThat(REGISTRY.lookupError(ExtensionKind.MATCH, "tcp", 1)).isEqualTo(Errno.ENOENT);
    assertThat(REGISTRY.lookupError(ExtensionKind.MATCH, "conntrack", 9))
        .isEqualTo(Errno.EPROTOTYPE);
    assertThat(REGISTRY.lookupError(ExtensionKind.MATCH, "nosuch", 0)).isEqualTo(Errno.ENOENT);
    assertThat(REGISTRY.lookupError(ExtensionKind.MATCH, "x".repeat(29), 0))
        .isEqualTo(Errno.EINVAL);
  }

  @Test
  void revisionQueriesAnswerZeroOrErrno() {
    assertThat(REGISTRY.revisionAnswer(ExtensionKind.MATCH, "conntrack", 1)).isZero();
    assertThat(REGISTRY.revisionAnswer(ExtensionKind.MATCH, "conntrack", 4))
        .isEqualTo(Errno.EPROTONOSUPPORT.status());
    assertThat(REGISTRY.revisionAnswer(ExtensionKind.TARGET, "ACCEPT", 0))
        .isEqualTo(Errno.ENOENT.status());
    assertThat(REGISTRY.bestRevision(ExtensionKind.MATCH, "conntrack")).hasValue(3);
  }

  @Test
  void genericChecksComeBeforeCheckentry() {
    ByteBuffer reset = le(new byte[8]).putInt(0, 7); // REJECT --reject-with tcp-reset
    assertThat(REGISTRY.validate(ExtensionKind.TARGET, "REJECT", 0, FILTER_INPUT_TCP, reset))
        .isEmpty();
    // size, then table, then hook
    assertThat(
            REGISTRY.validate(
                ExtensionKind.TARGET, "REJECT", 0, FILTER_INPUT_TCP, le(new byte[16])))
        .contains(Errno.EINVAL);
    ExtensionContext mangle = new ExtensionContext("mangle", Hook.INPUT.bit(), Proto.TCP, 0, 0);
    assertThat(REGISTRY.validate(ExtensionKind.TARGET, "REJECT", 0, mangle, reset))
        .contains(Errno.EINVAL);
    ExtensionContext udp = new ExtensionContext("filter", Hook.INPUT.bit(), Proto.UDP, 0, 0);
    assertThat(REGISTRY.validate(ExtensionKind.TARGET, "REJECT", 0, udp, reset))
        .contains(Errno.EINVAL);
  }

  @Test
  void tcpmssNeedsASynMatchInTheSameRule() {
    ByteBuffer tcpSyn = le(new byte[16]);
    tcpSyn.put(9, (byte) 0x17).put(10, (byte) 0x02); // --syn
    ExtensionContext withSyn =
        new ExtensionContext(
            "mangle",
            Hook.FORWARD.bit(),
            Proto.TCP,
            0,
            0,
            List.of(new ExtensionContext.EntryMatch("tcp", 0, tcpSyn)));
    ExtensionContext without = new ExtensionContext("mangle", Hook.FORWARD.bit(), Proto.TCP, 0, 0);
    ByteBuffer clamp = le(new byte[8]).putShort(0, (short) 0xffff);
    assertThat(REGISTRY.validate(ExtensionKind.TARGET, "TCPMSS", 0, withSyn, clamp)).isEmpty();
    assertThat(REGISTRY.validate(ExtensionKind.TARGET, "TCPMSS", 0, without, clamp))
        .contains(Errno.EINVAL);
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }
}

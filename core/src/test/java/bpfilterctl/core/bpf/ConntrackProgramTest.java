package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.bpf.compile.Refusal;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.kernel.KernelExtension;
import bpfilterctl.core.kernel.KernelExtensions;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conntrack and state matches on crafted packets (BPF_PROG_TEST_RUN). A test run's skb carries no
 * conntrack entry (_nfct is 0), which xt_conntrack and xt_state see as INVALID: every state test,
 * its "!", and the rule that a conntrack match without an entry is true only through a passing
 * state test (--ctstatus and --ctdir alone never match, inverted or not). Each table is built by
 * iptables against a registry that offers conntrack up to revision 3, 2 or 1 (iptables then sends
 * "-m state" as that conntrack revision), or none (state revision 0), and compiled both ways.
 */
@Timeout(120)
class ConntrackProgramTest {
  static final int IN = 1;
  static final int DROP = 0;
  static final int ACCEPT = 1;
  static final int A = addr(10, 0, 0, 1);
  static final int B = addr(10, 0, 0, 2);

  /** {rule (its target DROP), verdict for a packet without a conntrack entry}. */
  static final Object[][] CONNTRACK_CASES = {
    {"-m conntrack --ctstate INVALID", DROP},
    {"-m conntrack ! --ctstate INVALID", ACCEPT},
    {"-m conntrack --ctstate NEW,ESTABLISHED,RELATED,UNTRACKED", ACCEPT},
    {"-m conntrack ! --ctstate NEW", DROP},
    {"-m conntrack --ctstate INVALID,SNAT,DNAT", DROP},
    {"-m conntrack --ctstate SNAT", ACCEPT},
    {"-m conntrack ! --ctstate DNAT", DROP},
    {"-m conntrack --ctstatus ASSURED", ACCEPT},
    {"-m conntrack ! --ctstatus ASSURED", ACCEPT},
    {"-m conntrack --ctstatus NONE", ACCEPT},
    {"-m conntrack --ctdir ORIGINAL", ACCEPT},
    {"-m conntrack --ctdir REPLY", ACCEPT},
    {"-m conntrack --ctstate INVALID --ctdir REPLY", DROP},
    {"-m conntrack --ctstate INVALID --ctstatus ASSURED,CONFIRMED", DROP},
    {"-m conntrack ! --ctstate ESTABLISHED ! --ctstatus SEEN_REPLY --ctdir ORIGINAL", DROP},
    {"-m conntrack --ctstate NEW --ctdir ORIGINAL", ACCEPT},
    {"-m state --state INVALID", DROP},
    {"-m state ! --state INVALID", ACCEPT},
    {"-m state --state NEW,ESTABLISHED,RELATED", ACCEPT},
    {"-m state ! --state ESTABLISHED,RELATED", DROP},
  };

  static Stream<Arguments> revisions() {
    return Stream.of(3, 2, 1, 0)
        .flatMap(r -> Stream.of(Arguments.of(r, true), Arguments.of(r, false)));
  }

  /** The kernel's extensions without conntrack revisions above {@code max}. */
  static ExtensionRegistry upTo(int max) {
    List<KernelExtension> all =
        KernelExtensions.all().stream()
            .filter(x -> !x.name().equals("conntrack") || x.revision() <= max)
            .toList();
    return new ExtensionRegistry(all);
  }

  @ParameterizedTest(name = "conntrack up to revision {0}, eager {1}")
  @MethodSource("revisions")
  void statesWithoutAnEntryAreInvalid(int maxRevision, boolean eager) throws Exception {
    FilterBed.assumeBpf();
    byte[] p = Packets.udp(A, B, 1000, 53);
    int ran = 0;
    for (Object[] c : CONNTRACK_CASES) {
      String rule = (String) c[0];
      if (maxRevision == 0 && rule.contains("-m conntrack")) {
        continue; // no conntrack match at all: only state revision 0
      }
      try (FilterBed bed = new FilterBed(upTo(maxRevision))) {
        if (!eager) {
          bed.accumulated();
        }
        bed.rules("-A INPUT -s 10.0.0.1 " + rule + " -j DROP").load();
        XtEntryMatch m = bed.table.entry(0).matches().get(0);
        if (maxRevision == 0) {
          assertThat(m.name() + m.revision()).isEqualTo("state0");
        } else {
          assertThat(m.name() + m.revision()).isEqualTo("conntrack" + maxRevision);
        }
        int want = (int) c[1];
        assertThat(bed.verdict(IN, p)).as(rule).isEqualTo(want);
        // the rule counts what it matched, the policy (entry 1) the rest
        assertThat(bed.counter(0))
            .as(rule)
            .containsExactly(want == DROP ? 1 : 0, want == DROP ? p.length : 0);
        assertThat(bed.counter(1))
            .as(rule)
            .containsExactly(want == DROP ? 0 : 1, want == DROP ? 0 : p.length);
        // another source: the address test fails before the conntrack match
        assertThat(bed.verdict(IN, Packets.udp(B, A, 1000, 53))).as(rule).isEqualTo(ACCEPT);
        ran++;
      }
    }
    assertThat(ran).isEqualTo(maxRevision == 0 ? 4 : CONNTRACK_CASES.length);
  }

  @ParameterizedTest(name = "eager {0}")
  @MethodSource("eagerOrNot")
  void withTransportMatchesBeforeAndAfter(boolean eager) throws Exception {
    FilterBed.assumeBpf();
    try (FilterBed bed = new FilterBed()) {
      if (!eager) {
        bed.accumulated();
      }
      bed.rules(
              "-A INPUT -p tcp --dport 22 -m conntrack --ctstate INVALID -j DROP",
              "-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 23 -j DROP",
              "-A INPUT -p tcp -m conntrack ! --ctstate NEW -m tcp --dport 24 -j DROP",
              "-A INPUT -p udp -m state --state INVALID -m udp --sport 7 -j DROP")
          .load();
      assertThat(bed.verdict(IN, Packets.tcp(A, B, 1000, 22, 0x02))).isEqualTo(DROP);
      assertThat(bed.verdict(IN, Packets.tcp(A, B, 1000, 23, 0x02))).isEqualTo(ACCEPT);
      assertThat(bed.verdict(IN, Packets.tcp(A, B, 1000, 24, 0x02))).isEqualTo(DROP);
      assertThat(bed.verdict(IN, Packets.tcp(A, B, 1000, 25, 0x02))).isEqualTo(ACCEPT);
      assertThat(bed.verdict(IN, Packets.udp(A, B, 7, 25))).isEqualTo(DROP);
      assertThat(bed.verdict(IN, Packets.udp(A, B, 8, 25))).isEqualTo(ACCEPT);
    }
    // A TCP header cut short hotdrops (uncounted) where the tcp match is reached: only after a
    // passing state test.
    byte[] cut = Packets.ip(A, B, Packets.TCP, 0, new byte[10]);
    for (String state : List.of("INVALID", "NEW")) {
      try (FilterBed bed = new FilterBed()) {
        if (!eager) {
          bed.accumulated();
        }
        bed.rules("-A INPUT -p tcp -m conntrack --ctstate " + state + " -m tcp --dport 23 -j DROP")
            .load();
        assertThat(bed.verdict(IN, cut)).as(state).isEqualTo(state.equals("NEW") ? ACCEPT : DROP);
        assertThat(bed.counter(0)).as(state).containsExactly(0, 0);
        assertThat(bed.counter(1))
            .as(state)
            .containsExactly(state.equals("NEW") ? 1 : 0, state.equals("NEW") ? cut.length : 0);
      }
    }
  }

  static Stream<Boolean> eagerOrNot() {
    return Stream.of(true, false);
  }

  @Test
  void otherConntrackOptionsAreRefusedByName() throws Exception {
    FilterBed.assumeBpf();
    String[][] cases = {
      {"-m conntrack --ctproto tcp", "--ctproto"},
      {"-m conntrack --ctstate NEW --ctorigsrc 10.0.0.1", "--ctorigsrc"},
      {"-m conntrack --ctorigdst 10.0.0.1", "--ctorigdst"},
      {"-m conntrack --ctreplsrc 10.0.0.1", "--ctreplsrc"},
      {"-m conntrack --ctrepldst 10.0.0.1", "--ctrepldst"},
      {"-m conntrack --ctexpire 10:20", "--ctexpire"},
      {"-m conntrack --ctproto tcp --ctorigsrcport 22", "--ctproto"},
      {"-m conntrack --ctorigdstport 22", "--ctorigdstport"},
      {"-m conntrack --ctreplsrcport 22", "--ctreplsrcport"},
      {"-m conntrack --ctrepldstport 22", "--ctrepldstport"},
    };
    for (String[] c : cases) {
      try (FilterBed bed = new FilterBed()) {
        bed.rules("-A INPUT " + c[0] + " -j DROP");
        assertThatThrownBy(bed::load)
            .as(c[0])
            .isInstanceOf(Refusal.class)
            .hasMessage("cannot compile: conntrack " + c[1]);
      }
    }
  }
}

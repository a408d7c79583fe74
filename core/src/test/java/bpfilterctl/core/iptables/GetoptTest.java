package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.Getopt.Found;
import bpfilterctl.core.iptables.Getopt.Kind;
import bpfilterctl.core.iptables.Getopt.LongOpt;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Getopt against glibc getopt_long's documented behaviour, as iptables drives it (in-order mode,
 * optstring starting with "-"): what each word comes back as, and where optind stands after it.
 */
class GetoptTest {
  private static final String OPTS = "-A:D:nvp:x::";
  private static final List<LongOpt> LONGS =
      List.of(
          new LongOpt("append", 1, 'A'),
          new LongOpt("delete", 1, 'D'),
          new LongOpt("numeric", 0, 'n'),
          new LongOpt("verbose", 0, 'v'),
          new LongOpt("protocol", 1, 'p'),
          new LongOpt("exact", 2, 'x'),
          new LongOpt("dport", 1, "dport"),
          new LongOpt("destination-port", 1, "dport"),
          new LongOpt("dst", 1, "dst"));

  /** Every Found up to END, as "KIND letter-or-key arg" strings ("?" when there is neither). */
  private static List<String> all(String... argv) {
    Getopt g = new Getopt(List.of(argv), OPTS);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Found f = g.next(LONGS);
      if (f.kind() == Kind.END) {
        return out;
      }
      Object which = f.kind() == Kind.LONG ? f.key() : f.shortName() == '\0' ? "?" : f.shortName();
      out.add(f.kind() + " " + which + " " + f.arg());
    }
    throw new AssertionError("no END after 50 calls");
  }

  @Test
  void inOrderModeReturnsWordsThatAreNotOptionsWhereTheyStand() {
    assertThat(all("-n", "INPUT", "-v", "2"))
        .containsExactly("SHORT n null", "NON_OPTION ? INPUT", "SHORT v null", "NON_OPTION ? 2");
    assertThat(all("-")).containsExactly("NON_OPTION ? -");
  }

  @Test
  void doubleDashEndsTheOptions() {
    Getopt g = new Getopt(List.of("-n", "--", "-v"), OPTS);
    assertThat(g.next(LONGS).code()).isEqualTo('n');
    assertThat(g.next(LONGS).kind()).isEqualTo(Kind.END);
    assertThat(g.optind()).isEqualTo(2);
  }

  @Test
  void shortOptionsBundleAndTakeTheirArgumentAttachedOrAsTheNextWord() {
    assertThat(all("-nv")).containsExactly("SHORT n null", "SHORT v null");
    assertThat(all("-nptcp")).containsExactly("SHORT n null", "SHORT p tcp");
    assertThat(all("-p", "tcp", "-A", "INPUT")).containsExactly("SHORT p tcp", "SHORT A INPUT");
    // a required argument is taken even when it looks like an option
    assertThat(all("-p", "-n")).containsExactly("SHORT p -n");
  }

  @Test
  void anOptionalShortArgumentIsOnlyEverAttached() {
    assertThat(all("-xyz")).containsExactly("SHORT x yz");
    assertThat(all("-x", "yz")).containsExactly("SHORT x null", "NON_OPTION ? yz");
  }

  @Test
  void aMissingArgumentAndAnUnknownLetterAreReported() {
    assertThat(all("-n", "-p")).containsExactly("SHORT n null", "MISSING_ARGUMENT p null");
    assertThat(all("-q", "-n")).containsExactly("UNKNOWN q null", "SHORT n null");
    assertThat(all("-nq")).containsExactly("SHORT n null", "UNKNOWN q null");
    // ':' and '-' are never option letters, whatever the optstring holds
    assertThat(all("-:")).containsExactly("UNKNOWN : null");
  }

  @Test
  void longOptionsMatchExactlyOrByAnUnambiguousPrefix() {
    assertThat(all("--numeric", "--verb", "--app", "INPUT"))
        .containsExactly("LONG n null", "LONG v null", "LONG A INPUT");
    assertThat(all("--protocol=udp")).containsExactly("LONG p udp");
    assertThat(all("--protocol=")).containsExactly("LONG p ");
    // exact beats prefix: "dst" is itself an option and a prefix of nothing else that matters
    assertThat(all("--dst", "1")).containsExactly("LONG dst 1");
    // "--d" fits delete, dport, destination-port and dst: ambiguous
    assertThat(all("--d", "1")).containsExactly("UNKNOWN ? null", "NON_OPTION ? 1");
    // "--dp" fits only dport; "--de" fits delete and destination-port, which differ: ambiguous
    assertThat(all("--dp", "22")).containsExactly("LONG dport 22");
    assertThat(all("--de", "x")).containsExactly("UNKNOWN ? null", "NON_OPTION ? x");
  }

  @Test
  void prefixesOfOptionsWithTheSameMeaningAreNotAmbiguous() {
    List<LongOpt> longs =
        List.of(new LongOpt("dport", 1, "dport"), new LongOpt("dports", 1, "dport"));
    Getopt g = new Getopt(List.of("--dpo", "22"), OPTS);
    Found f = g.next(longs);
    assertThat(f.kind()).isEqualTo(Kind.LONG);
    assertThat(f.key()).isEqualTo("dport");
    assertThat(f.arg()).isEqualTo("22");
  }

  @Test
  void longOptionArgumentsFollowTheirHasArg() {
    assertThat(all("--numeric=1")).containsExactly("UNKNOWN ? null");
    assertThat(all("--append")).containsExactly("MISSING_ARGUMENT ? null");
    assertThat(all("--exact", "v")).containsExactly("LONG x null", "NON_OPTION ? v");
    assertThat(all("--exact=v")).containsExactly("LONG x v");
    assertThat(all("--nope")).containsExactly("UNKNOWN ? null");
  }

  @Test
  void previousWordIsTheWholeAttachedWordOrTheArgumentWord() {
    Getopt g = new Getopt(List.of("-ptcp", "-p", "udp", "--protocol=icmp"), OPTS);
    g.next(LONGS);
    assertThat(g.previousWord()).isEqualTo("-ptcp");
    g.next(LONGS);
    assertThat(g.previousWord()).isEqualTo("udp");
    g.next(LONGS);
    assertThat(g.previousWord()).isEqualTo("--protocol=icmp");
  }

  @Test
  void hasArgTakeAndRewindServeTheOptionalPositionalArguments() {
    Getopt g = new Getopt(List.of("-D", "INPUT", "3", "!", "-n"), OPTS);
    Found d = g.next(LONGS);
    assertThat(d.arg()).isEqualTo("INPUT");
    assertThat(g.hasArg()).isTrue();
    assertThat(g.take()).isEqualTo("3");
    assertThat(g.hasArg()).as("'!' is not an argument").isFalse();
    assertThat(g.next(LONGS).kind()).isEqualTo(Kind.NON_OPTION);
    assertThat(g.optind()).isEqualTo(4);
    g.rewind();
    assertThat(g.next(LONGS).arg()).isEqualTo("!");
    assertThat(g.next(LONGS).code()).isEqualTo('n');
    assertThat(g.hasArg()).isFalse();
    assertThat(g.next(LONGS).kind()).isEqualTo(Kind.END);
  }
}

package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.FilterProgramTest.ACCEPT;
import static bpfilterctl.core.bpf.FilterProgramTest.DROP;
import static bpfilterctl.core.bpf.FilterProgramTest.OUT;
import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * limit and owner compiled and run on crafted packets (BPF_PROG_TEST_RUN). A test run's packet has
 * no socket: owner then decides as owner_mt does for a packet without one.
 */
@Timeout(60)
class LimitOwnerProgramTest extends FilterBedTest {
  static final int A = addr(10, 0, 0, 1);
  static final int B = addr(10, 0, 0, 2);

  @Test
  void aBurstAboveTheLimitPassesTheBurst() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp -m limit --limit 3/min --limit-burst 10 -j ACCEPT", "-P OUTPUT DROP")
        .load();
    int[] verdicts = new int[15];
    for (int i = 0; i < verdicts.length; i++) {
      verdicts[i] = bed.verdict(OUT, Packets.udp(A, B, 1000 + i, 53));
    }
    // 10 packets of credit, and 20 s per new one: none comes back within the test
    for (int i = 0; i < verdicts.length; i++) {
      assertThat(verdicts[i]).as("packet %d", i).isEqualTo(i < 10 ? ACCEPT : DROP);
    }
    assertThat(bed.counter(2)[0]).as("OUTPUT rule 2").isEqualTo(10);
  }

  @Test
  void eachLimitMatchHasItsOwnBucketAndAFreshOneEveryLoad() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m limit --limit 1/hour --limit-burst 2 -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m limit --limit 1/hour --limit-burst 3 -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    for (int round = 0; round < 2; round++) {
      int one = 0;
      int two = 0;
      for (int i = 0; i < 6; i++) {
        one += bed.verdict(OUT, Packets.udp(A, B, 9, 1));
        two += bed.verdict(OUT, Packets.udp(A, B, 9, 2));
      }
      assertThat(one).as("round %d, burst 2", round).isEqualTo(2);
      assertThat(two).as("round %d, burst 3", round).isEqualTo(3);
      bed.load(); // a replace: limit_mt_check gives every rule a full bucket again
    }
  }

  @Test
  void aLimitAfterAFailingTestSpendsNothing() throws Exception {
    bed.rules("-A OUTPUT -p tcp -m limit --limit 1/hour --limit-burst 1 -j DROP").load();
    for (int i = 0; i < 3; i++) {
      assertThat(bed.verdict(OUT, Packets.udp(A, B, 1, 2))).isEqualTo(ACCEPT);
    }
    assertThat(bed.verdict(OUT, Packets.tcp(A, B, 1, 2, 0x02))).isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.tcp(A, B, 1, 2, 0x02))).isEqualTo(ACCEPT);
  }

  @Test
  void limitCompiledAccumulated() throws Exception {
    bed.accumulated()
        .rules(
            "-A OUTPUT -s 10.0.0.1 -p udp --dport 7 -m limit --limit 3/min --limit-burst 4 -j"
                + " ACCEPT",
            "-P OUTPUT DROP")
        .load();
    int passed = 0;
    for (int i = 0; i < 8; i++) {
      passed += bed.verdict(OUT, Packets.udp(A, B, 1, 7));
    }
    assertThat(passed).isEqualTo(4);
    assertThat(bed.verdict(OUT, Packets.udp(B, B, 1, 7))).isEqualTo(DROP);
  }

  @Test
  void ownerWithoutASocket() throws Exception {
    bed.rules(
            "-N a",
            "-N b",
            "-N c",
            "-N d",
            "-A OUTPUT -p udp --dport 1 -j a",
            "-A OUTPUT -p udp --dport 2 -j b",
            "-A OUTPUT -p udp --dport 3 -j c",
            "-A OUTPUT -p udp --dport 4 -j d",
            "-A a -m owner --socket-exists -j ACCEPT",
            "-A a -j DROP",
            "-A b -m owner ! --socket-exists -j ACCEPT",
            "-A b -j DROP",
            "-A c -m owner --uid-owner 0 -j ACCEPT",
            "-A c -j DROP",
            "-A d -m owner ! --uid-owner 0-100 ! --gid-owner 5 -j ACCEPT",
            "-A d -j DROP")
        .load();
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 1))).as("--socket-exists").isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 2))).as("! --socket").isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 3))).as("--uid-owner").isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, B, 9, 4))).as("! uid ! gid").isEqualTo(ACCEPT);
  }
}

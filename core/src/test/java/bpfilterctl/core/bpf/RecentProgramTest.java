package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.FilterProgramTest.ACCEPT;
import static bpfilterctl.core.bpf.FilterProgramTest.DROP;
import static bpfilterctl.core.bpf.FilterProgramTest.IN;
import static bpfilterctl.core.bpf.FilterProgramTest.OUT;
import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.bpf.compile.RecentParams;
import bpfilterctl.core.bpf.compile.Refusal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** recent compiled and run on crafted packets (BPF_PROG_TEST_RUN), as recent_mt decides them. */
@Timeout(60)
class RecentProgramTest extends FilterBedTest {
  static final int A = addr(10, 0, 0, 1);
  static final int B = addr(10, 0, 0, 2);

  private int out(int src, int dst, int dport) throws Exception {
    return bed.verdict(OUT, Packets.udp(src, dst, 9, dport));
  }

  @Test
  void setRcheckAndRemove() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name X -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --name X -j ACCEPT",
            "-A OUTPUT -p udp --dport 3 -m recent --remove --name X -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    assertThat(out(A, B, 2)).as("rcheck before any set").isEqualTo(DROP);
    assertThat(out(A, B, 1)).as("set always matches").isEqualTo(ACCEPT);
    assertThat(out(A, B, 1)).as("set of a known source").isEqualTo(ACCEPT);
    assertThat(out(A, B, 2)).as("rcheck of the set source").isEqualTo(ACCEPT);
    assertThat(out(B, A, 2)).as("rcheck of another source").isEqualTo(DROP);
    assertThat(out(A, B, 3)).as("remove of a known source").isEqualTo(ACCEPT);
    assertThat(out(A, B, 3)).as("remove of an unknown source").isEqualTo(DROP);
    assertThat(out(A, B, 2)).as("rcheck after remove").isEqualTo(DROP);
    // entries 0 and 1: the INPUT and FORWARD policies
    assertThat(bed.counter(2)[0]).as("OUTPUT rule 1").isEqualTo(2);
    assertThat(bed.counter(3)[0]).as("OUTPUT rule 2").isEqualTo(1);
  }

  @Test
  void updateCountsHitsAndRecordsOnlyWhenItMatches() throws Exception {
    // ufw's limit pair: set, then update with a hit count
    bed.rules(
            "-A OUTPUT -p udp -m recent --set --name D",
            "-A OUTPUT -p udp -m recent --update --seconds 30 --hitcount 3 --name D -j DROP",
            "-A OUTPUT -p udp --dport 7 -m recent --rcheck --hitcount 5 --name D -j DROP")
        .load();
    int[] v = new int[5];
    for (int i = 0; i < v.length; i++) {
      v[i] = out(A, B, 1);
    }
    // stamps: 1, 2, 3 (matches: +1 = 4), 5 (+1 = 6), ...
    assertThat(v).containsExactly(ACCEPT, ACCEPT, DROP, DROP, DROP);
    assertThat(out(B, A, 1)).as("another source has its own stamps").isEqualTo(ACCEPT);
    assertThat(bed.counter(2)[0]).as("OUTPUT rule 1").isEqualTo(6);
    assertThat(bed.counter(3)[0]).as("OUTPUT rule 2").isEqualTo(3);
  }

  @Test
  void rcheckDoesNotRecordAndHitCountNeedsThatManyStamps() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name H -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --hitcount 2 --name H -j ACCEPT",
            "-A OUTPUT -p udp --dport 3 -m recent --update --hitcount 2 --name H -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    out(A, B, 1);
    assertThat(out(A, B, 2)).as("one stamp, rcheck").isEqualTo(DROP);
    assertThat(out(A, B, 2)).as("rcheck records nothing").isEqualTo(DROP);
    assertThat(out(A, B, 3)).as("update that does not match records nothing").isEqualTo(DROP);
    out(A, B, 1);
    assertThat(out(A, B, 2)).as("two stamps").isEqualTo(ACCEPT);
  }

  @Test
  void secondsLeavesOutOlderStamps() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name S -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --seconds 1 --name S -j ACCEPT",
            "-A OUTPUT -p udp --dport 3 -m recent --rcheck --name S -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    long start = System.nanoTime();
    out(A, B, 1);
    assertThat(out(A, B, 2)).isEqualTo(ACCEPT);
    // the stamp goes out of the one-second window: wait until it has (at most 3 s)
    while (out(A, B, 2) == ACCEPT && System.nanoTime() - start < 3_000_000_000L) {
      Thread.sleep(50);
    }
    long waited = System.nanoTime() - start;
    assertThat(out(A, B, 2)).isEqualTo(DROP);
    assertThat(waited).as("ns until the stamp is out of the window").isGreaterThan(900_000_000L);
    assertThat(out(A, B, 3)).as("without --seconds every stamp counts").isEqualTo(ACCEPT);
  }

  @Test
  void rdestAndMask() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --rdest --mask 255.255.255.0 --name M"
                + " -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --rdest --mask 255.255.255.0 --name M"
                + " -j ACCEPT",
            "-A OUTPUT -p udp --dport 3 -m recent --rcheck --rsource --name M -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    out(A, addr(10, 0, 1, 5), 1);
    assertThat(out(B, addr(10, 0, 1, 9), 2)).as("same /24 destination").isEqualTo(ACCEPT);
    assertThat(out(B, addr(10, 0, 2, 5), 2)).as("another /24").isEqualTo(DROP);
    assertThat(out(addr(10, 0, 1, 77), B, 3)).as("source, masked by the table").isEqualTo(ACCEPT);
    assertThat(out(A, B, 3)).isEqualTo(DROP);
  }

  @Test
  void invertedChecks() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name I -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent ! --rcheck --name I -j ACCEPT",
            "-A OUTPUT -p udp --dport 3 -m recent ! --update --hitcount 2 --name I -j ACCEPT",
            "-A OUTPUT -p udp --dport 4 -m recent --rcheck --hitcount 3 --name I -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    assertThat(out(A, B, 2)).as("! rcheck, unknown").isEqualTo(ACCEPT);
    out(A, B, 1);
    assertThat(out(A, B, 2)).as("! rcheck, known").isEqualTo(DROP);
    // ! --update with one stamp: no match, inverted true, so it records (ret is true)
    assertThat(out(A, B, 3)).isEqualTo(ACCEPT);
    assertThat(out(A, B, 4)).as("the inverted update recorded a stamp").isEqualTo(DROP);
    assertThat(out(A, B, 3)).as("two stamps: inverted false, no record").isEqualTo(DROP);
    assertThat(out(A, B, 4)).isEqualTo(DROP);
  }

  @Test
  void tablesAreSharedAcrossHooksAndKeptAcrossReplaces() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --rdest --name K",
            "-A INPUT -p udp -m recent --rcheck --name K -j ACCEPT",
            "-P INPUT DROP")
        .load();
    out(A, B, 1);
    assertThat(bed.verdict(IN, Packets.udp(B, A, 1, 9))).as("set in OUTPUT").isEqualTo(ACCEPT);
    bed.rules("-A OUTPUT -p udp --dport 5 -j ACCEPT").load();
    assertThat(bed.verdict(IN, Packets.udp(B, A, 1, 9))).as("after a replace").isEqualTo(ACCEPT);
    bed.rules("-D INPUT 1", "-D OUTPUT 1").load(); // no rule names K: the table goes
    bed.rules("-A INPUT -p udp -m recent --rcheck --name K -j ACCEPT").load();
    assertThat(bed.verdict(IN, Packets.udp(B, A, 1, 9))).as("a new table K").isEqualTo(DROP);
  }

  @Test
  void aBiggerRingFlushesTheTable() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name G -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --name G -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    out(A, B, 1);
    bed.rules("-A OUTPUT -p udp --dport 3 -m recent --rcheck --hitcount 31 --name G").load();
    assertThat(out(A, B, 2)).as("hitcount 31 fits the ring of 32: kept").isEqualTo(ACCEPT);
    bed.rules("-A OUTPUT -p udp --dport 4 -m recent --rcheck --hitcount 40 --name G").load();
    assertThat(out(A, B, 2)).as("a ring of 64: recent_mt_check flushed G").isEqualTo(DROP);
  }

  @Test
  void compiledAccumulated() throws Exception {
    bed.accumulated()
        .rules(
            "-A OUTPUT -s 10.0.0.1 -p udp --dport 1 -m recent --set --name C -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --update --hitcount 2 --name C -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    assertThat(out(B, A, 1)).as("the address test fails first: no set").isEqualTo(DROP);
    assertThat(out(B, A, 2)).isEqualTo(DROP);
    out(A, B, 1);
    assertThat(out(A, B, 2)).as("one stamp").isEqualTo(DROP);
    out(A, B, 1);
    assertThat(out(A, B, 2)).as("two stamps").isEqualTo(ACCEPT);
  }

  /**
   * A table holding ip_list_tot addresses evicts, for a new one, the least recently set or updated
   * address (the head of the kernel's LRU list); a --rcheck does not count as use.
   */
  @Test
  void aFullTableEvictsItsLeastRecentlyRecordedAddress() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name F -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --name F -j ACCEPT",
            "-P OUTPUT DROP")
        .load();
    int tot = RecentParams.running().ipListTot();
    for (int i = 0; i < tot; i++) {
      assertThat(out(addr(10, 7, i / 256, i % 256), B, 1)).isEqualTo(ACCEPT);
    }
    out(addr(10, 7, 0, 0), B, 1); // the first again: now the most recent
    assertThat(out(addr(10, 7, 0, 1), B, 2)).as("an rcheck is no use").isEqualTo(ACCEPT);
    int extra = addr(10, 8, 0, 1);
    assertThat(out(extra, B, 1)).as("a set into a full table").isEqualTo(ACCEPT);
    assertThat(out(extra, B, 2)).as("records the new address").isEqualTo(ACCEPT);
    assertThat(out(addr(10, 7, 0, 1), B, 2)).as("the least recent went").isEqualTo(DROP);
    assertThat(out(addr(10, 7, 0, 0), B, 2)).as("the re-set first stays").isEqualTo(ACCEPT);
    assertThat(out(addr(10, 7, 0, 2), B, 2)).as("the others stay").isEqualTo(ACCEPT);
  }

  static byte[] withTtl(byte[] packet, int ttl) {
    packet[8] = (byte) ttl;
    return packet;
  }

  /**
   * --rttl: the entry is found only with the ttl it recorded (or where either is 0); a hook with an
   * output device counts one more for a packet without a socket (a test run's has none).
   */
  @Test
  void rttlComparesTheRecordedTtl() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m recent --set --name T -j ACCEPT",
            "-A OUTPUT -p udp --dport 2 -m recent --rcheck --rttl --name T -j ACCEPT",
            "-A OUTPUT -p udp --dport 3 -m recent --update --rttl --name T -j ACCEPT",
            "-A INPUT -p udp --dport 2 -m recent --rcheck --rttl --name T -j ACCEPT",
            "-P OUTPUT DROP",
            "-P INPUT DROP")
        .load();
    bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 1), 64)); // records 65
    assertThat(bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 2), 64))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 2), 65))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, withTtl(Packets.udp(A, B, 9, 2), 65))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(IN, withTtl(Packets.udp(A, B, 9, 2), 64))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, withTtl(Packets.udp(A, B, 9, 2), 0))).as("ttl 0").isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 3), 9)))
        .as("10 is not 65")
        .isEqualTo(DROP);
    assertThat(bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 3), 64))).isEqualTo(ACCEPT);
    bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 1), 9)); // a set records 10
    assertThat(bed.verdict(IN, withTtl(Packets.udp(A, B, 9, 2), 65))).isEqualTo(DROP);
    assertThat(bed.verdict(IN, withTtl(Packets.udp(A, B, 9, 2), 10))).isEqualTo(ACCEPT);
    bed.verdict(OUT, withTtl(Packets.udp(A, B, 9, 1), 255)); // 255 + 1 is 0: any ttl finds it
    assertThat(bed.verdict(IN, withTtl(Packets.udp(A, B, 9, 2), 77))).isEqualTo(ACCEPT);
  }

  @Test
  void longNamesAndDeepSetsAreRefusedByName() throws Exception {
    bed.rules("-A OUTPUT -m recent --set --name " + "n".repeat(118));
    assertThatThrownBy(bed::load).isInstanceOf(Refusal.class).hasMessageContaining("recent --name");
    bed.rules("-F OUTPUT");
    for (int i = 1; i <= 7; i++) {
      bed.rules("-N c" + i);
    }
    bed.rules("-A OUTPUT -j c1", "-A c7 -m recent --set");
    for (int i = 1; i < 7; i++) {
      bed.rules("-A c" + i + " -j c" + (i + 1));
    }
    assertThatThrownBy(bed::load)
        .isInstanceOf(Refusal.class)
        .hasMessageContaining("recent --set or --reap in chains nested 7 deep");
    bed.rules("-F c7", "-A c7 -m recent --rcheck").load(); // no eviction: 7 deep is fine
    // 6 deep, the callback's frame fits the call depth and the 512-byte stack
    bed.rules("-D OUTPUT 1", "-A OUTPUT -j c2", "-A c7 -m recent --set").load();
    assertThat(out(A, B, 1)).isEqualTo(ACCEPT);
  }
}

package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.btf.Btf;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.TargetEvent;
import bpfilterctl.core.bpf.compile.TargetLayout;
import bpfilterctl.core.bpf.compile.TargetMaps;
import bpfilterctl.core.bpf.enforce.LogLineFormatter;
import bpfilterctl.core.bpf.enforce.ProgramLoader;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.RingBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REJECT and LOG rules through BPF_PROG_TEST_RUN: the verdict, the counter, and the record each
 * hands over the ring buffer (or the lost counter when the ring buffer is full).
 */
@Timeout(120)
class TargetReportTest {
  private static final int RING = 1 << 14;

  /** A bed whose programs report into a fresh ring buffer. */
  private static final class Reporting implements AutoCloseable {
    final FilterBed bed = new FilterBed();
    final Fd ring;
    final Fd lost;
    final RingBuffer reader;

    Reporting() throws Exception {
      ring = FilterBed.BPF.mapCreate(Bpf.MAP_TYPE_RINGBUF, 0, 0, RING, "test_ring");
      lost = FilterBed.BPF.mapCreate(Bpf.MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, "test_lost");
      reader = RingBuffer.map(ring, RING);
    }

    Reporting load() throws Exception {
      bed.close();
      bed.table = bed.read();
      bed.map =
          FilterBed.BPF.mapCreate(
              Bpf.MAP_TYPE_PERCPU_ARRAY, 4, CompiledTable.COUNTER_SIZE, bed.table.size(), "c");
      TargetMaps maps =
          new TargetMaps(ring.value(), lost.value(), TargetLayout.from(Btf.vmlinux()));
      bed.compiled = new FilterCompiler(FilterBed.KERNEL).compile(bed.table, bed.map.value(), maps);
      bed.progs.putAll(ProgramLoader.load(FilterBed.BPF, bed.compiled, "t_h"));
      return this;
    }

    List<TargetEvent> events() {
      List<TargetEvent> out = new ArrayList<>();
      reader.drain(r -> out.add(TargetEvent.decode(r)));
      return out;
    }

    long lost() throws Exception {
      int size = FilterBed.BPF.perCpuValueSize(8);
      byte[] v = FilterBed.BPF.mapLookup(lost, new byte[4], size);
      long n = 0;
      for (int at = 0; at < size; at += 8) {
        n += java.nio.ByteBuffer.wrap(v, at, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      }
      return n;
    }

    @Override
    public void close() {
      bed.close();
      reader.close();
      ring.close();
      lost.close();
    }
  }

  @Test
  void rejectDropsCountsAndReportsThePacket() throws Exception {
    FilterBed.assumeBpf();
    try (Reporting r = new Reporting()) {
      r.bed.rules(
          "-A OUTPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset",
          "-A OUTPUT -p udp --dport 53 -j REJECT");
      r.load();
      byte[] tcp = Packets.tcp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 4000, 80, 0x02);
      byte[] udp = Packets.udp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 4000, 53);
      byte[] other = Packets.udp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 4000, 54);
      assertThat(r.bed.verdict(3, tcp)).isZero();
      assertThat(r.bed.verdict(3, udp)).isZero();
      assertThat(r.bed.verdict(3, other)).isOne();
      // entries 0 and 1 are the INPUT and FORWARD policies
      assertThat(r.bed.counter(2)).containsExactly(1, tcp.length);
      assertThat(r.bed.counter(3)).containsExactly(1, udp.length);
      List<TargetEvent> ev = r.events();
      assertThat(ev).hasSize(2);
      assertThat(ev.get(0).kind()).isEqualTo(TargetEvent.REJECT);
      assertThat(ev.get(0).param()).isEqualTo(7); // tcp-reset
      assertThat(ev.get(0).hook()).isEqualTo(3);
      assertThat(ev.get(0).rule()).isEqualTo(2);
      assertThat(ev.get(0).skbLen()).isEqualTo(tcp.length);
      assertThat(ev.get(0).packet()).isEqualTo(tcp);
      assertThat(ev.get(1).param()).isEqualTo(3); // icmp-port-unreachable, the default
      assertThat(ev.get(1).rule()).isEqualTo(3);
      assertThat(ev.get(1).packet()).isEqualTo(udp);
      assertThat(r.lost()).isZero();
    }
  }

  /**
   * The deepest program the compiler makes still verifies: seven nested chains (the BPF call depth)
   * below a main frame whose summary has every optional slot (conntrack, tcp options, the skb and
   * ctx pointers), with LOG, REJECT and a limit in the innermost chain. The verifier adds up every
   * frame of a call chain against its 512-byte stack.
   */
  @Test
  void sevenNestedChainsUnderTheFullSummaryStillVerify() throws Exception {
    FilterBed.assumeBpf();
    try (Reporting r = new Reporting()) {
      List<String> rules = new ArrayList<>();
      for (int c = 1; c <= 7; c++) {
        rules.add("-N c" + c);
      }
      for (int c = 1; c < 7; c++) {
        rules.add("-A c" + c + " -p tcp -j c" + (c + 1));
      }
      rules.add("-A c7 -p tcp --tcp-option 2 -m conntrack --ctstate INVALID -j LOG");
      rules.add("-A c7 -p tcp -m limit --limit 5/s -j REJECT --reject-with tcp-reset");
      rules.add("-A OUTPUT -p tcp -j c1");
      r.bed.rules(rules.toArray(String[]::new));
      r.load();
      // a test run's packet has no conntrack entry: INVALID; no MSS option: no LOG
      byte[] syn = Packets.tcp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 4000, 80, 0x02);
      assertThat(r.bed.verdict(3, syn)).isZero();
      assertThat(r.events()).extracting(TargetEvent::kind).containsExactly(TargetEvent.REJECT);
    }
  }

  @Test
  void logGoesOnWithTheNextRuleAndInsideChains() throws Exception {
    FilterBed.assumeBpf();
    try (Reporting r = new Reporting()) {
      r.bed.rules(
          "-N deep",
          "-A deep -p udp -j LOG --log-prefix x: --log-level 6 --log-uid",
          "-A deep -p udp --dport 7 -j REJECT --reject-with icmp-admin-prohibited",
          "-A OUTPUT -p udp -j LOG --log-prefix first: --log-ip-options",
          "-A OUTPUT -j deep",
          "-A OUTPUT -p udp -j DROP");
      r.load();
      byte[] seven = Packets.udp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 1, 7);
      byte[] eight = Packets.udp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 1, 8);
      assertThat(r.bed.verdict(3, seven)).isZero();
      List<TargetEvent> ev = r.events();
      assertThat(ev).extracting(TargetEvent::kind).containsExactly(2, 2, 1);
      // INPUT, FORWARD policies; OUTPUT's LOG, jump, DROP, policy; deep's head, LOG, REJECT
      assertThat(ev).extracting(TargetEvent::rule).containsExactly(2, 7, 8);
      assertThat(ev.get(0).prefix()).isEqualTo("first:");
      assertThat(ev.get(0).param()).isEqualTo(4); // warning, the default level
      assertThat(ev.get(0).flags()).isEqualTo(0x04);
      assertThat(ev.get(1).prefix()).isEqualTo("x:");
      assertThat(ev.get(1).param()).isEqualTo(6);
      assertThat(ev.get(1).uid()).isEqualTo(0xffffffffL); // a test run has no socket
      assertThat(ev.get(2).param()).isEqualTo(8);
      assertThat(ev.get(0).out()).isEqualTo("lo"); // test_run_nf's output device
      assertThat(LogLineFormatter.format(ev.get(0)))
          .isEqualTo(
              "first:IN= OUT=lo SRC=10.0.0.1 DST=10.0.0.2 LEN=32 TOS=0x00 PREC=0x00 TTL=64 ID=0"
                  + " PROTO=UDP SPT=1 DPT=7 LEN=12 ");
      assertThat(r.bed.verdict(3, eight)).isZero(); // the last DROP
      assertThat(r.events()).extracting(TargetEvent::kind).containsExactly(2, 2);
      assertThat(r.bed.counter(2)[0]).isEqualTo(2);
      assertThat(r.bed.counter(7)[0]).isEqualTo(2);
      assertThat(r.bed.counter(8)[0]).isEqualTo(1);
      assertThat(r.bed.counter(4)[0]).isEqualTo(1);
    }
  }

  @Test
  void aFullRingBufferCountsLostRecordsAndStillDecides() throws Exception {
    FilterBed.assumeBpf();
    try (Reporting r = new Reporting()) {
      r.bed.rules("-A OUTPUT -j LOG", "-A OUTPUT -p udp --dport 9 -j REJECT");
      r.load();
      byte[] p = Packets.udp(addr(10, 0, 0, 1), addr(10, 0, 0, 2), 1, 9);
      int fits = RING / (TargetEvent.SIZE + 8);
      for (int i = 0; i < fits + 5; i++) {
        assertThat(r.bed.verdict(3, p)).isZero();
      }
      long lost = r.lost();
      assertThat(lost).isPositive();
      assertThat(r.events().size() + lost).isEqualTo(2L * (fits + 5));
    }
  }
}

package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Compiled filter tables run on crafted packets (BPF_PROG_TEST_RUN): each verdict is what
 * ip_tables' ipt_do_table decides for that table and packet.
 */
@Timeout(60)
class FilterProgramTest {
  static final int IN = 1;
  static final int FWD = 2;
  static final int OUT = 3;
  static final int DROP = 0;
  static final int ACCEPT = 1;

  static final int A = addr(10, 0, 0, 1);
  static final int B = addr(10, 0, 0, 2);
  static final int C = addr(192, 168, 7, 9);

  FilterBed bed;

  @BeforeEach
  void setUp() {
    FilterBed.assumeBpf();
    bed = new FilterBed();
  }

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
  }

  @Test
  void emptyTableAcceptsAndCountsThePolicy() throws Exception {
    bed.load();
    byte[] p = Packets.udp(A, B, 1000, 53);
    assertThat(bed.verdict(IN, p)).isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, p)).isEqualTo(ACCEPT);
    // entries: INPUT policy 0, FORWARD policy 1, OUTPUT policy 2, ERROR 3
    assertThat(bed.counter(0)).containsExactly(1, p.length);
    assertThat(bed.counter(2)).containsExactly(1, p.length);
    assertThat(bed.counter(1)).containsExactly(0, 0);
  }
}

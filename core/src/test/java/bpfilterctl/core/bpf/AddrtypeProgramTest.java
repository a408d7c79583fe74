package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.FilterProgramTest.ACCEPT;
import static bpfilterctl.core.bpf.FilterProgramTest.DROP;
import static bpfilterctl.core.bpf.FilterProgramTest.OUT;
import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.FilterTable;
import bpfilterctl.core.bpf.enforce.ProgramLoader;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.uapi.IptEntries;
import bpfilterctl.core.uapi.IptEntry;
import bpfilterctl.core.uapi.XtAddrtypeInfo;
import bpfilterctl.core.uapi.XtEntryMatch;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * addrtype compiled and run on crafted packets (BPF_PROG_TEST_RUN) against a route map this test
 * fills itself: the special addresses, found and missing routes, --limit-iface-out and `!`. A test
 * run's output device is lo (ifindex 1).
 */
@Timeout(60)
class AddrtypeProgramTest {
  static final int LOCAL = 2;
  static final int BROADCAST = 3;
  static final int UNICAST = 1;
  static final int A = addr(10, 0, 0, 9);

  FilterBed bed;
  Fd routes;

  @BeforeEach
  void setUp() throws Exception {
    FilterBed.assumeBpf();
    routes = FilterBed.BPF.mapCreate(Bpf.MAP_TYPE_LPM_TRIE, 8, 8, 64, "routes", 1);
    put(addr(10, 0, 0, 1), 32, LOCAL, 2);
    put(addr(10, 0, 0, 255), 32, BROADCAST, 2);
    put(addr(10, 0, 0, 0), 24, UNICAST, 2);
    put(addr(127, 0, 0, 0), 8, LOCAL, 1);
    put(addr(127, 0, 0, 1), 32, LOCAL, 1);
    bed = new FilterBed().routes(routes);
  }

  @AfterEach
  void tearDown() {
    if (bed != null) {
      bed.close();
    }
    if (routes != null) {
      routes.close();
    }
  }

  private void put(int address, int len, int type, int ifindex) throws Exception {
    ByteBuffer k = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    k.putInt(0, len);
    k.order(ByteOrder.BIG_ENDIAN).putInt(4, address);
    ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    v.putInt(0, type).putInt(4, ifindex);
    FilterBed.BPF.mapUpdate(routes, k.array(), v.array());
  }

  private int to(int dst, int port) throws Exception {
    return bed.verdict(OUT, Packets.udp(A, dst, 9, port));
  }

  @Test
  void destinationTypes() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m addrtype --dst-type LOCAL -j DROP",
            "-A OUTPUT -p udp --dport 2 -m addrtype --dst-type BROADCAST -j DROP",
            "-A OUTPUT -p udp --dport 3 -m addrtype --dst-type MULTICAST -j DROP",
            "-A OUTPUT -p udp --dport 4 -m addrtype --dst-type UNICAST -j DROP",
            "-A OUTPUT -p udp --dport 5 -m addrtype ! --dst-type LOCAL,UNICAST -j DROP")
        .load();
    assertThat(to(addr(10, 0, 0, 1), 1)).as("a local /32").isEqualTo(DROP);
    assertThat(to(addr(127, 3, 2, 1), 1)).as("inside local 127/8").isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 2), 1)).as("the /24 unicast route").isEqualTo(ACCEPT);
    assertThat(to(addr(10, 0, 0, 255), 2)).as("a broadcast /32").isEqualTo(DROP);
    assertThat(to(addr(255, 255, 255, 255), 2)).as("limited broadcast").isEqualTo(DROP);
    assertThat(to(addr(0, 0, 0, 0), 2)).as("0.0.0.0").isEqualTo(DROP);
    assertThat(to(addr(0, 1, 2, 3), 2)).as("rest of 0/8: unicast now").isEqualTo(ACCEPT);
    assertThat(to(addr(10, 0, 0, 1), 2)).isEqualTo(ACCEPT);
    assertThat(to(addr(224, 0, 0, 5), 3)).as("multicast").isEqualTo(DROP);
    assertThat(to(addr(239, 9, 9, 9), 3)).as("multicast").isEqualTo(DROP);
    assertThat(to(addr(240, 0, 0, 1), 3)).as("class E").isEqualTo(ACCEPT);
    assertThat(to(addr(8, 8, 8, 8), 4)).as("no route: unicast").isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 2), 4)).isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 1), 4)).isEqualTo(ACCEPT);
    assertThat(to(addr(10, 0, 0, 255), 5)).as("! LOCAL,UNICAST on broadcast").isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 1), 5)).isEqualTo(ACCEPT);
    assertThat(to(addr(8, 8, 8, 8), 5)).isEqualTo(ACCEPT);
  }

  @Test
  void sourceAndDestinationAndTheOutputDevice() throws Exception {
    bed.rules(
            "-A OUTPUT -p udp --dport 1 -m addrtype --src-type LOCAL -j DROP",
            "-A OUTPUT -p udp --dport 2 -m addrtype --src-type UNICAST ! --dst-type LOCAL -j DROP",
            "-A OUTPUT -p udp --dport 3 -m addrtype --dst-type LOCAL --limit-iface-out -j DROP",
            "-A OUTPUT -p udp --dport 4 -m addrtype --dst-type BROADCAST --limit-iface-out -j"
                + " DROP")
        .load();
    assertThat(bed.verdict(OUT, Packets.udp(addr(10, 0, 0, 1), A, 9, 1))).isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, A, 9, 1))).isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, Packets.udp(A, A, 9, 2))).as("unicast to unicast").isEqualTo(DROP);
    assertThat(bed.verdict(OUT, Packets.udp(A, addr(10, 0, 0, 1), 9, 2))).isEqualTo(ACCEPT);
    // 127.0.0.1's route is on lo (the test run's output): local; 10.0.0.1's on ifindex 2: unicast
    assertThat(to(addr(127, 0, 0, 1), 3)).isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 1), 3)).isEqualTo(ACCEPT);
    assertThat(to(addr(10, 0, 0, 255), 4)).as("a route on another device").isEqualTo(ACCEPT);
    assertThat(to(addr(255, 255, 255, 255), 4)).as("no route involved").isEqualTo(DROP);
  }

  @Test
  void accumulatedAsWell() throws Exception {
    bed.accumulated()
        .rules(
            "-A OUTPUT -d 10.0.0.0/8 -p udp --dport 1 -m addrtype --dst-type LOCAL -j DROP",
            "-A OUTPUT -p udp -m addrtype ! --dst-type UNICAST -j DROP")
        .load();
    assertThat(to(addr(10, 0, 0, 1), 1)).isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 2), 1)).isEqualTo(ACCEPT);
    assertThat(to(addr(127, 0, 0, 1), 1)).as("! UNICAST").isEqualTo(DROP);
    assertThat(to(addr(8, 8, 4, 4), 7)).isEqualTo(ACCEPT);
  }

  /**
   * Revision 0 (ipt_addrtype_info: u16 source, dest; u32 invert_source, invert_dest), which
   * iptables 1.8.9 no longer sends: the rules are written as revision 1, then rewritten. ret &=
   * match ^ invert keeps only bit 0 of an inversion: 2 does not invert, 3 does.
   */
  @Test
  void revisionZero() throws Exception {
    bed.rules(
        "-A OUTPUT -p udp --dport 1 -m addrtype --dst-type LOCAL -j DROP",
        "-A OUTPUT -p udp --dport 2 -m addrtype --dst-type LOCAL -j DROP",
        "-A OUTPUT -p udp --dport 3 -m addrtype --dst-type LOCAL -j DROP",
        "-A OUTPUT -p udp --dport 4 -m addrtype --src-type UNICAST -j DROP");
    int[] inverts = {0, 1, 2, 3};
    FilterTable v1 = bed.read();
    List<IptEntry> entries = new ArrayList<>();
    int rule = 0;
    for (int i = 0; i < v1.size(); i++) {
      IptEntry en = v1.entry(i);
      List<XtEntryMatch> ms = new ArrayList<>();
      for (XtEntryMatch m : en.matches()) {
        if (m.name().equals("addrtype")) {
          ByteBuffer d = ByteBuffer.wrap(m.data()).order(ByteOrder.nativeOrder());
          ByteBuffer v0 = ByteBuffer.allocate(XtAddrtypeInfo.SIZE).order(ByteOrder.nativeOrder());
          v0.putShort(0, d.getShort(0)).putShort(2, d.getShort(2));
          int inv = inverts[rule++];
          v0.putInt(d.getShort(0) != 0 ? 4 : 8, inv);
          m = XtEntryMatch.of("addrtype", 0, v0.array());
        }
        ms.add(m);
      }
      entries.add(
          new IptEntry(en.ip(), en.nfcache(), en.comefrom(), en.counters(), ms, en.target()));
    }
    int[] offsets = IptEntries.offsets(entries);
    int[] hookEntry = new int[5];
    int[] underflow = new int[5];
    for (int h = 1; h <= 3; h++) {
      hookEntry[h] = offsets[v1.hookEntry(h)];
      underflow[h] = offsets[v1.underflow(h)];
    }
    bed.table = new FilterTable(IptEntries.encode(entries), hookEntry, underflow, 0b1110);
    bed.map =
        FilterBed.BPF.mapCreate(
            Bpf.MAP_TYPE_PERCPU_ARRAY, 4, CompiledTable.COUNTER_SIZE, bed.table.size(), "ctrs");
    bed.compiled = new FilterCompiler(FilterBed.KERNEL).compile(bed.table, bed.map.value());
    bed.progs.putAll(ProgramLoader.load(FilterBed.BPF, bed.compiled, "filter_h", routes));
    assertThat(to(addr(10, 0, 0, 1), 1)).as("invert 0, local").isEqualTo(DROP);
    assertThat(to(addr(8, 8, 8, 8), 1)).isEqualTo(ACCEPT);
    assertThat(to(addr(10, 0, 0, 1), 2)).as("invert 1, local").isEqualTo(ACCEPT);
    assertThat(to(addr(8, 8, 8, 8), 2)).isEqualTo(DROP);
    assertThat(to(addr(10, 0, 0, 1), 3)).as("invert 2: bit 0 only").isEqualTo(DROP);
    assertThat(to(addr(8, 8, 8, 8), 3)).isEqualTo(ACCEPT);
    assertThat(to(addr(8, 8, 8, 8), 4)).as("invert 3, unicast source").isEqualTo(ACCEPT);
    assertThat(bed.verdict(OUT, Packets.udp(addr(10, 0, 0, 1), A, 9, 4))).isEqualTo(DROP);
  }
}

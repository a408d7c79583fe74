package bpfilterctl.core.bpf;

import static bpfilterctl.core.bpf.Packets.addr;
import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.btf.Btf;
import bpfilterctl.core.bpf.compile.CompiledTable;
import bpfilterctl.core.bpf.compile.FilterCompiler;
import bpfilterctl.core.bpf.compile.ReplyConntrack;
import bpfilterctl.core.bpf.compile.TargetEvent;
import bpfilterctl.core.bpf.compile.TargetLayout;
import bpfilterctl.core.bpf.compile.TargetMaps;
import bpfilterctl.core.bpf.enforce.ProgramLoader;
import bpfilterctl.core.bpf.enforce.ReplySocket;
import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.Fd;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.bpf.sys.RawSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The umh's REJECT replies recognised at LOCAL_OUT (ReplyConntrack), in a test namespace where
 * nothing holds conntrack (every packet is INVALID to conntrack and state): the OUTPUT program,
 * attached there, counts per rule what each packet is taken for. A ReplySocket's packet carries the
 * relation the kernel's nf_conntrack_attach gives the reply to the rejected packet it names
 * (RELATED in the reply direction for an original-direction packet, RELATED in the original
 * direction for a reply-direction one, with that entry's status), or none when the rejected packet
 * had no nf_conn; the same packet from another raw socket, or in a test run (no socket), stays
 * INVALID.
 */
@Timeout(60)
class ReplyConntrackTest {
  private static final int OUT = 3;
  private static final int IPS_SEEN_REPLY = 1 << 1;
  private static final int IPS_CONFIRMED = 1 << 3;
  private static final int IP_CT_NEW = 2;
  private static final int IP_CT_ESTABLISHED_REPLY = 3;

  @Test
  void theReplySocketsPacketsCarryTheRejectedPacketsRelation() throws Exception {
    FilterBed.assumeBpf();
    Bpf bpf = FilterBed.BPF;
    try (TestNetns ns = TestNetns.create();
        Fd ring = bpf.mapCreate(Bpf.MAP_TYPE_RINGBUF, 0, 0, 1 << 14, "t_ring");
        Fd lost = bpf.mapCreate(Bpf.MAP_TYPE_PERCPU_ARRAY, 4, 8, 1, "t_lost");
        Fd replyMap =
            bpf.mapCreate(Bpf.MAP_TYPE_ARRAY, 4, ReplyConntrack.VALUE_SIZE, 1, "t_reply");
        FilterBed bed = new FilterBed()) {
      bed.rules(
          // only a table with REJECT (here one that never matches) relates the umh's replies
          "-A INPUT -p 99 -j REJECT",
          "-A OUTPUT -m conntrack --ctstate RELATED --ctdir REPLY",
          "-A OUTPUT -m conntrack --ctstate RELATED --ctdir ORIGINAL",
          "-A OUTPUT -m conntrack --ctstate INVALID",
          "-A OUTPUT -m conntrack --ctstatus CONFIRMED",
          "-A OUTPUT -m conntrack --ctstatus SEEN_REPLY",
          "-A OUTPUT -m state --state RELATED");
      bed.table = bed.read();
      bed.map =
          bpf.mapCreate(
              Bpf.MAP_TYPE_PERCPU_ARRAY, 4, CompiledTable.COUNTER_SIZE, bed.table.size(), "c");
      TargetMaps maps =
          new TargetMaps(
              ring.value(), lost.value(), replyMap.value(), TargetLayout.from(Btf.vmlinux()));
      bed.compiled = new FilterCompiler(FilterBed.KERNEL).compile(bed.table, bed.map.value(), maps);
      bed.progs.putAll(ProgramLoader.load(bpf, bed.compiled, "t_h"));

      byte[] p = Packets.udp(addr(10, 0, 0, 1), addr(10, 1, 2, 3), 1000, 53);
      FilterBed.Links links = bed.attach(ns.path());
      try (ReplySocket replies = Netns.call(bpf, ns.path(), () -> ReplySocket.open(bpf, replyMap));
          RawSocket other = Netns.call(bpf, ns.path(), RawSocket::open)) {
        assertThat(replies.cookie()).isNotZero();
        // a new connection's first packet (original direction, not yet confirmed)
        assertThat(replies.send(p, rejected(8 | IP_CT_NEW, 0))).isZero();
        // a packet in the reply direction of a confirmed connection that has seen a reply
        assertThat(
                replies.send(
                    p, rejected(8 | IP_CT_ESTABLISHED_REPLY, IPS_SEEN_REPLY | IPS_CONFIRMED)))
            .isZero();
        // a packet without an nf_conn (INVALID): nothing is attached
        assertThat(replies.send(p, rejected(0, 0))).isZero();
        // the map still holds the last relation; another socket's packet is not a reply
        assertThat(replies.send(p, rejected(8 | IP_CT_NEW, 0))).isZero();
        assertThat(other.send(p)).isZero();
        // no socket at all: the test run's skb
        assertThat(bed.verdict(OUT, p)).isEqualTo(1);
      } finally {
        links.close();
      }
      long[][] want = {
        {2, 2 * p.length}, // RELATED, reply direction: the two original-direction rejects
        {1, p.length}, // RELATED, original direction
        {3, 3 * p.length}, // INVALID: no nf_conn, another socket, no socket
        {1, p.length}, // the confirmed entry's status
        {1, p.length},
        {3, 3 * p.length}, // state RELATED
        {6, 6 * p.length}, // the policy: every packet
      };
      for (int i = 0; i < want.length; i++) { // after INPUT's rule and policy, FORWARD's policy
        assertThat(bed.counter(3 + i)).as("OUTPUT entry %d", i).containsExactly(want[i]);
      }
    }
  }

  /** A REJECT record of a packet with this conntrack byte and status. */
  private static TargetEvent rejected(int conntrack, long status) {
    return new TargetEvent(
        TargetEvent.REJECT,
        1,
        3,
        0,
        0,
        0,
        0,
        "",
        "",
        "",
        new byte[0],
        0,
        0xffffffffL,
        0xffffffffL,
        conntrack,
        status,
        new byte[0]);
  }
}

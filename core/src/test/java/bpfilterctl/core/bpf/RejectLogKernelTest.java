package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * REJECT and LOG end to end over a veth between a client and a server namespace: once with the
 * kernel's ip_tables (iptables-legacy) in the server, once with our enforced table. The same
 * crafted packets get the same replies (bytes, checksums and IP ids aside where the kernel leaves
 * them to offload or chance) and the same log lines (the kernel's dmesg, with
 * net.netfilter.nf_log_all_netns set for the test); a real TCP connect is refused at once and a UDP
 * receive fails with ECONNREFUSED; iptables-save -c counters are identical.
 */
@Timeout(180)
class RejectLogKernelTest {

  /**
   * The client: captures incoming IPv4 on c0, sends the crafted packets (hex lines on stdin) from a
   * raw socket, collects the replies, then tries a TCP connect and a UDP exchange.
   */
  private static final String CLIENT =
      String.join(
          "\n",
          "import socket, sys, json, time",
          "out = {}",
          "cap = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0800))",
          "cap.bind(('c0', 0x0800))",
          "cap.settimeout(0.3)",
          "raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)",
          "for line in sys.stdin:",
          "    raw.sendto(bytes.fromhex(line.strip()), ('10.9.0.2', 0))",
          "    time.sleep(0.1)",
          "time.sleep(0.5)",
          "replies = []",
          "while True:",
          "    try:",
          "        replies.append(cap.recv(4096).hex())",
          "    except socket.timeout:",
          "        break",
          "out['replies'] = replies",
          "t0 = time.time()",
          "try:",
          "    socket.create_connection(('10.9.0.2', 80), timeout=3)",
          "    out['tcp'] = 'connected'",
          "except ConnectionRefusedError:",
          "    out['tcp'] = 'refused'",
          "except OSError as e:",
          "    out['tcp'] = repr(e)",
          "out['tcp_ms'] = int((time.time() - t0) * 1000)",
          "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          "u.connect(('10.9.0.2', 53))",
          "u.settimeout(3)",
          "u.send(b'hello')",
          "try:",
          "    u.recv(100)",
          "    out['udp'] = 'answered'",
          "except ConnectionRefusedError:",
          "    out['udp'] = 'refused'",
          "except OSError as e:",
          "    out['udp'] = repr(e)",
          "print(json.dumps(out))");

  static String table(String tag) {
    return String.join(
        "\n",
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A INPUT -p tcp --dport 80 -j LOG --log-prefix \""
            + tag
            + "tcp: \""
            + " --log-tcp-sequence --log-tcp-options --log-ip-options",
        "-A INPUT -p tcp --dport 80 -j REJECT --reject-with tcp-reset",
        "-A INPUT -p udp -j LOG --log-prefix \"" + tag + "udp: \" --log-level 6",
        "-A INPUT -p udp --dport 53 -j REJECT",
        "-A INPUT -p udp --dport 54 -j REJECT --reject-with icmp-host-prohibited",
        "-A INPUT -p udp --dport 55 -j REJECT --reject-with icmp-net-unreachable",
        "-A INPUT -p icmp -j LOG --log-prefix \"" + tag + "icmp: \"",
        "-A INPUT -p icmp -j REJECT --reject-with icmp-admin-prohibited",
        "COMMIT",
        "");
  }

  /** A client/server pair of test namespaces joined by c0 (10.9.0.1) - s0 (10.9.0.2). */
  private record Pair(TestNetns client, TestNetns server) implements AutoCloseable {
    static Pair create() throws Exception {
      TestNetns c = TestNetns.create();
      TestNetns s;
      try {
        s = TestNetns.create();
      } catch (Exception | AssertionError e) {
        c.close();
        throw e;
      }
      Pair p = new Pair(c, s);
      try {
        TestNetns.Result r =
            TestNetns.run(
                List.of(
                    "ip",
                    "link",
                    "add",
                    "c0",
                    "netns",
                    c.name,
                    "address",
                    "02:00:00:00:00:01",
                    "type",
                    "veth",
                    "peer",
                    "name",
                    "s0",
                    "netns",
                    s.name,
                    "address",
                    "02:00:00:00:00:02"),
                "");
        assertThat(r.rc()).as("veth: %s", r.err()).isZero();
        c.ip("addr", "add", "10.9.0.1/24", "dev", "c0");
        s.ip("addr", "add", "10.9.0.2/24", "dev", "s0");
        c.ip("link", "set", "c0", "up");
        s.ip("link", "set", "s0", "up");
        // no neighbour discovery in the captures: each side knows the other's MAC
        c.ip("neigh", "add", "10.9.0.2", "lladdr", "02:00:00:00:00:02", "dev", "c0");
        s.ip("neigh", "add", "10.9.0.1", "lladdr", "02:00:00:00:00:01", "dev", "s0");
      } catch (Exception | AssertionError e) {
        p.close();
        throw e;
      }
      return p;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> runClient(List<byte[]> packets) throws Exception {
      StringBuilder in = new StringBuilder();
      for (byte[] p : packets) {
        in.append(HexFormat.of().formatHex(p)).append('\n');
      }
      TestNetns.Result r = client.exec(in.toString(), Python3.command(), "-c", CLIENT);
      assertThat(r.rc()).as("client: %s", r.err()).isZero();
      return JsonReader.parseObject(r.out().trim());
    }

    @Override
    public void close() throws java.io.IOException {
      try {
        server.close();
      } finally {
        client.close();
      }
    }
  }

  @Test
  void repliesLinesAndCountersEqualTheKernels() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Require.that(
        Files.exists(LogAllNetns.SETTING), "no " + LogAllNetns.SETTING + " (nf_log_syslog)");
    String tag = "t" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)) + "-";
    String table = table(tag);
    List<byte[]> packets = new ArrayList<>(crafted());
    packets.addAll(badChecksums());
    Map<String, Object> kernelRun;
    String kernelSave;
    List<String> kernelLines;
    try (Pair k = Pair.create()) {
      LogAllNetns logAll = LogAllNetns.on();
      try {
        TestNetns.Result restored = k.server.exec(table, "iptables-legacy-restore");
        assertThat(restored.rc()).as("kernel restore: %s", restored.err()).isZero();
        kernelRun = k.runClient(packets);
        kernelSave =
            FilterBed.withoutComments(
                k.server.exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
        Thread.sleep(200);
        kernelLines = new ArrayList<>();
        // "<level>[ seconds] text": the level kept, the time dropped
        for (String l : KernelLog.linesWith(tag)) {
          kernelLines.add(l.stripTrailing());
        }
      } finally {
        logAll.close();
      }
    }

    Map<String, Object> ourRun;
    String ourSave;
    List<String> ourLines = new CopyOnWriteArrayList<>();
    try (Pair o = Pair.create();
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      bed.restore(table);
      bed.enforceIn(enforcer, o.server.path(), ourLines::add);
      ourRun = o.runClient(packets);
      String save = bed.saveWithCounters(enforcer);
      ourSave = save;
    }
    List<String> ours =
        ourLines.stream().filter(l -> l.contains(tag)).map(String::stripTrailing).toList();

    assertThat(kernelRun.get("tcp")).isEqualTo("refused");
    assertThat(kernelRun.get("udp")).isEqualTo("refused");
    assertThat(ourRun.get("tcp")).isEqualTo("refused");
    assertThat(((Number) ourRun.get("tcp_ms")).intValue()).as("refused at once").isLessThan(1000);
    assertThat(ourRun.get("udp")).isEqualTo("refused");

    List<String> kernelReplies = normalized(kernelRun.get("replies"));
    List<String> ourReplies = normalized(ourRun.get("replies"));
    // none to the RST, the ICMP error, or the two bad checksums
    assertThat(kernelReplies).as("the kernel's replies").hasSize(packets.size() - 4);
    assertThat(ourReplies).isEqualTo(kernelReplies);
    for (Object h : (List<?>) ourRun.get("replies")) {
      assertThat(KernelRecordedTargetsTest.validChecksums(HexFormat.of().parseHex((String) h)))
          .as("checksums of %s", h)
          .isTrue();
    }

    // the crafted packets' lines come first; the connect and the UDP exchange follow
    assertThat(kernelLines).as("dmesg lines").hasSizeGreaterThanOrEqualTo(packets.size());
    assertThat(ours).hasSameSizeAs(kernelLines);
    assertThat(ours.subList(0, packets.size())).isEqualTo(kernelLines.subList(0, packets.size()));
    assertThat(ourSave).isEqualTo(kernelSave);
  }

  /** The client's own connect and datagram, refused by its OUTPUT chain. */
  private static final String LOCAL_SENDER =
      String.join(
          "\n",
          "import socket, json, time",
          "out = {}",
          "t0 = time.time()",
          "try:",
          "    socket.create_connection(('10.9.0.2', 81), timeout=3)",
          "    out['tcp'] = 'connected'",
          "except ConnectionRefusedError:",
          "    out['tcp'] = 'refused'",
          "except OSError as e:",
          "    out['tcp'] = repr(e)",
          "u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
          "u.connect(('10.9.0.2', 9999))",
          "u.settimeout(3)",
          "try:",
          "    u.send(b'x' * 30)",
          "    out['send'] = 'sent'",
          "except OSError as e:",
          "    out['send'] = e.strerror",
          "try:",
          "    u.recv(100)",
          "    out['udp'] = 'answered'",
          "except ConnectionRefusedError:",
          "    out['udp'] = 'refused'",
          "except OSError as e:",
          "    out['udp'] = repr(e)",
          "out['ms'] = int((time.time() - t0) * 1000)",
          "print(json.dumps(out))");

  private static String outputTable(String tag) {
    return String.join(
        "\n",
        "*filter",
        ":INPUT ACCEPT [0:0]",
        ":FORWARD ACCEPT [0:0]",
        ":OUTPUT ACCEPT [0:0]",
        "-A OUTPUT -p tcp --dport 81 -j REJECT --reject-with tcp-reset",
        "-A OUTPUT -p udp --dport 9999 -j LOG --log-uid --log-prefix \"" + tag + "out: \"",
        "-A OUTPUT -p udp --dport 9999 -j REJECT",
        "COMMIT",
        "");
  }

  /** A log line with the fields that differ from run to run (ephemeral port, IP id) blanked. */
  private static String sameRun(String line) {
    return line.replaceAll("SPT=\\d+", "SPT=_").replaceAll(" ID=\\d+", " ID=_");
  }

  /**
   * REJECT at LOCAL_OUT answers the local sender (the reply comes back through lo): a connect is
   * refused at once and a datagram gets ECONNREFUSED, as with the kernel's table, with the same
   * counters (the replies pass OUTPUT too), and the same LOG line with --log-uid (the sending
   * socket's owner). The server drops everything, so only the rule answers.
   */
  @Test
  @SuppressWarnings("unchecked")
  void outputRejectAnswersTheLocalSender() throws Exception {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Require.that(
        Files.exists(LogAllNetns.SETTING), "no " + LogAllNetns.SETTING + " (nf_log_syslog)");
    String tag = "o" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)) + "-";
    String table = outputTable(tag);
    Map<String, Object> kernelRun;
    String kernelSave;
    List<String> kernelLines = new ArrayList<>();
    try (Pair k = Pair.create()) {
      LogAllNetns logAll = LogAllNetns.on();
      try {
        assertThat(k.server.exec("", "iptables-legacy", "-A", "INPUT", "-j", "DROP").rc()).isZero();
        assertThat(k.client.exec(table, "iptables-legacy-restore").rc()).isZero();
        TestNetns.Result r = k.client.exec("", Python3.command(), "-c", LOCAL_SENDER);
        assertThat(r.rc()).as("kernel side: %s", r.err()).isZero();
        kernelRun = JsonReader.parseObject(r.out().trim());
        kernelSave =
            FilterBed.withoutComments(
                k.client.exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
        for (String l : KernelLog.linesWith(tag)) {
          kernelLines.add(sameRun(l.stripTrailing()));
        }
      } finally {
        logAll.close();
      }
    }
    Map<String, Object> ourRun;
    String ourSave;
    List<String> ourLines = new CopyOnWriteArrayList<>();
    try (Pair o = Pair.create();
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      assertThat(o.server.exec("", "iptables-legacy", "-A", "INPUT", "-j", "DROP").rc()).isZero();
      bed.restore(table);
      bed.enforceIn(enforcer, o.client.path(), ourLines::add);
      TestNetns.Result r = o.client.exec("", Python3.command(), "-c", LOCAL_SENDER);
      assertThat(r.rc()).as("our side: %s", r.err()).isZero();
      ourRun = JsonReader.parseObject(r.out().trim());
      String save = bed.saveWithCounters(enforcer);
      ourSave = save;
    }
    assertThat(kernelRun.get("tcp")).isEqualTo("refused");
    assertThat(kernelRun.get("udp")).isEqualTo("refused");
    assertThat(ourRun.get("tcp")).isEqualTo("refused");
    assertThat(ourRun.get("send")).isEqualTo(kernelRun.get("send")); // the drop: EPERM
    assertThat(ourRun.get("udp")).isEqualTo("refused");
    assertThat(((Number) ourRun.get("ms")).intValue()).isLessThan(1000);
    assertThat(ourSave).isEqualTo(kernelSave);
    assertThat(kernelLines).hasSize(1).allMatch(l -> l.endsWith(" UID=0 GID=0"));
    assertThat(ourLines.stream().filter(l -> l.contains(tag)).map(l -> sameRun(l.stripTrailing())))
        .containsExactlyElementsOf(kernelLines);
  }

  /**
   * A umh that dies leaves its generation and the ring buffer pinned; the next one adopts both and
   * answers for the programs it did not load: connects are still refused at once, and its log gets
   * the LOG lines.
   */
  @Test
  void anAdoptingProcessReadsTheSameRingBuffer() throws Exception {
    FilterBed.assumeBpf();
    String tag = "a" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20)) + "-";
    try (TempBpfFs bpffs = TempBpfFs.create();
        Pair o = Pair.create();
        FilterBed bed = new FilterBed()) {
      bed.restore(table(tag));
      Enforcer first = Enforcer.open();
      int ring;
      try {
        assertThat(bpffs.mount(first.bpf())).isTrue();
        Netns.call(
            first.bpf(),
            o.server.path(),
            () -> {
              first.pinUnder(bpffs.path());
              first.listen(l -> {});
              return first.install(bed.read());
            });
        ring = first.targetChannel().orElseThrow().ringId();
      } finally {
        first.close(); // as if the umh died: the pins hold links, programs and ring buffer
      }
      List<String> lines = new CopyOnWriteArrayList<>();
      try (Enforcer second = Enforcer.open()) {
        boolean adopted =
            Netns.call(
                second.bpf(),
                o.server.path(),
                () -> {
                  boolean a = second.pinUnder(bpffs.path());
                  second.listen(lines::add);
                  return a;
                });
        assertThat(adopted).isTrue();
        assertThat(second.targetChannel().orElseThrow().ringId()).isEqualTo(ring);
        Map<String, Object> run = o.runClient(List.of());
        assertThat(run.get("tcp")).isEqualTo("refused");
        assertThat(((Number) run.get("tcp_ms")).intValue()).isLessThan(1000);
        assertThat(run.get("udp")).isEqualTo("refused");
        assertThat(lines).anyMatch(l -> l.startsWith("<4>" + tag + "tcp: IN=s0 OUT= MAC="));
        Netns.call(
            second.bpf(),
            o.server.path(),
            () -> {
              second.stop();
              return null;
            });
      }
    }
  }

  /** Replies with what the kernel leaves to chance or offload zeroed: IP id, checksums. */
  static List<String> normalized(Object hexes) {
    List<String> out = new ArrayList<>();
    for (Object h : (List<?>) hexes) {
      byte[] p = HexFormat.of().parseHex((String) h);
      int ihl = (p[0] & 0x0f) * 4;
      p[4] = p[5] = 0;
      p[10] = p[11] = 0;
      if (p[9] == 6 && p.length >= ihl + 18) {
        p[ihl + 16] = p[ihl + 17] = 0;
      }
      out.add(HexFormat.of().formatHex(p));
    }
    return out;
  }

  private static final byte[] CLIENT_ADDR = {10, 9, 0, 1};
  private static final byte[] SERVER_ADDR = {10, 9, 0, 2};

  /** Packets from 10.9.0.1 to 10.9.0.2 with valid checksums, each with its own IP id. */
  static List<byte[]> crafted() {
    return crafted(CLIENT_ADDR, SERVER_ADDR);
  }

  /** The same packets from {@code src} to {@code dst}. */
  static List<byte[]> crafted(byte[] src, byte[] dst) {
    Addresses a = new Addresses(src, dst);
    List<byte[]> l = new ArrayList<>();
    byte[] ipOpts = {1, 1, 1, 0}; // NOPs and an end
    byte[] mss = {2, 4, 0x05, (byte) 0xb4};
    l.add(a.ip(101, 0x40, 6, ipOpts, tcp(40001, 80, 1000, 0, 0x02, 29200, mss, new byte[0])));
    l.add(
        a.ip(
            102,
            0,
            6,
            new byte[0],
            tcp(40002, 80, 5000, 7777, 0x18, 500, new byte[0], new byte[] {'h', 'i'})));
    l.add(a.ip(103, 0, 6, new byte[0], tcp(40003, 80, 9, 9, 0x14, 0, new byte[0], new byte[0])));
    l.add(a.ip(104, 0x40, 17, new byte[0], udp(40004, 53, new byte[] {'q', 'u', 'e', 'r', 'y'})));
    l.add(a.ip(105, 0, 17, new byte[0], udp(40005, 54, new byte[40])));
    l.add(a.ip(106, 0, 17, new byte[0], udp(40006, 55, new byte[700])));
    l.add(a.ip(107, 0, 1, new byte[0], icmp(8, 0, new byte[] {0, 1, 0, 2, 'p', 'i', 'n', 'g'})));
    byte[] quoted = a.ip(9, 0, 17, new byte[0], udp(1, 2, new byte[0]));
    l.add(a.ip(108, 0, 1, new byte[0], icmp(3, 3, withUnused(quoted))));
    return l;
  }

  /** A TCP SYN and a UDP datagram to rejected ports with their checksums off by one. */
  static List<byte[]> badChecksums() {
    return badChecksums(CLIENT_ADDR, SERVER_ADDR);
  }

  static List<byte[]> badChecksums(byte[] src, byte[] dst) {
    Addresses a = new Addresses(src, dst);
    byte[] syn =
        a.ip(111, 0x40, 6, new byte[0], tcp(40011, 80, 1, 0, 0x02, 100, new byte[0], new byte[0]));
    syn[20 + 17] ^= 1;
    byte[] udp = a.ip(112, 0, 17, new byte[0], udp(40012, 53, new byte[] {'x'}));
    udp[20 + 7] ^= 1;
    return List.of(syn, udp);
  }

  private static byte[] withUnused(byte[] quoted) {
    byte[] b = new byte[4 + quoted.length];
    System.arraycopy(quoted, 0, b, 4, quoted.length);
    return b;
  }

  /** The packets' source and destination. */
  private record Addresses(byte[] src, byte[] dst) {
    byte[] ip(int id, int df, int proto, byte[] opts, byte[] payload) {
      int ihl = 20 + opts.length;
      ByteBuffer b = ByteBuffer.allocate(ihl + payload.length);
      b.put(0, (byte) (0x40 | ihl / 4));
      b.putShort(2, (short) (ihl + payload.length));
      b.putShort(4, (short) id);
      b.put(6, (byte) df);
      b.put(8, (byte) 64);
      b.put(9, (byte) proto);
      b.put(12, src);
      b.put(16, dst);
      b.put(20, opts);
      b.put(ihl, payload);
      byte[] p = b.array();
      put16(p, 10, sum(p, 0, ihl, 0));
      if (proto == 6 || proto == 17) {
        int at = ihl + (proto == 6 ? 16 : 6);
        long pseudo = proto + payload.length;
        for (int i = 12; i < 20; i += 2) {
          pseudo += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        }
        put16(p, at, sum(p, ihl, payload.length, pseudo));
      } else {
        put16(p, ihl + 2, sum(p, ihl, payload.length, 0));
      }
      return p;
    }
  }

  private static byte[] tcp(
      int sport, int dport, long seq, long ack, int flags, int window, byte[] opts, byte[] data) {
    int hl = 20 + opts.length;
    ByteBuffer b = ByteBuffer.allocate(hl + data.length);
    b.putShort(0, (short) sport).putShort(2, (short) dport);
    b.putInt(4, (int) seq).putInt(8, (int) ack);
    b.put(12, (byte) (hl / 4 << 4)).put(13, (byte) flags).putShort(14, (short) window);
    b.put(20, opts).put(hl, data);
    return b.array();
  }

  private static byte[] udp(int sport, int dport, byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(8 + data.length);
    b.putShort(0, (short) sport).putShort(2, (short) dport).putShort(4, (short) (8 + data.length));
    b.put(8, data);
    return b.array();
  }

  private static byte[] icmp(int type, int code, byte[] rest) {
    byte[] b = new byte[4 + rest.length];
    b[0] = (byte) type;
    b[1] = (byte) code;
    System.arraycopy(rest, 0, b, 4, rest.length);
    return b;
  }

  private static int sum(byte[] b, int at, int len, long s) {
    for (int i = 0; i + 1 < len; i += 2) {
      s += ((b[at + i] & 0xff) << 8) | (b[at + i + 1] & 0xff);
    }
    if ((len & 1) != 0) {
      s += (b[at + len - 1] & 0xff) << 8;
    }
    while ((s >> 16) != 0) {
      s = (s & 0xffff) + (s >> 16);
    }
    return (int) (~s & 0xffff);
  }

  private static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
  }
}

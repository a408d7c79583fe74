package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.bpf.compile.Refusal;
import bpfilterctl.core.bpf.enforce.Enforcer;
import bpfilterctl.core.bpf.sys.Netns;
import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.IptablesSave;
import bpfilterctl.core.json.JsonReader;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.uapi.XtCounters;
import bpfilterctl.core.uapi.XtCountersInfo;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two real filter tables, ufw's (enabled, default deny incoming, logging on) and firewalld's public
 * zone (iptables backend), built from the restore inputs of the scenario scripts 21-ufw.sh and
 * 26-firewalld-zones.sh, enforced on the server of a veth pair: once by the kernel's ip_tables
 * (iptables-legacy-restore), once by our compiled table. The client's TCP connects, UDP exchanges
 * and ICMP echo (every port has a listener, so a refusal or a silence comes from the table) end the
 * same way on both sides, the REJECTs answer at once, the LOG lines equal the kernel's dmesg lines
 * (MACs and IP ids aside: the veths' MACs are random, and so are the ids of DF packets), and
 * iptables-save -c -t filter is identical, counters of every rule included.
 */
@Timeout(120)
class RealRulesetKernelTest {
  private static final Path LOG_ALL_NETNS = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");
  private static final String SCRIPTS = "/rules/scenarios/scripts/";

  /**
   * ufw's user rules as `ufw allow 22/tcp`, `ufw allow 80,443/tcp`, the script's database rule and
   * denies, and `ufw reject 23` (TCP answered with a reset, UDP with port-unreachable) write them.
   */
  private static final List<String> UFW_USER_RULES =
      List.of(
          "-A ufw-user-input -s 203.0.113.66 -j DROP",
          "-A ufw-user-input -s 198.51.100.0/24 -j DROP",
          "-A ufw-user-input -p tcp --dport 22 -j ACCEPT",
          "-A ufw-user-input -p tcp -m multiport --dports 80,443"
              + " -m comment --comment \"'dapp_Nginx%20Full'\" -j ACCEPT",
          "-A ufw-user-input -p tcp -s 192.168.1.0/24 --dport 3306 -m comment --comment db -j ACCEPT",
          "-A ufw-user-input -p tcp --dport 23 -j REJECT --reject-with tcp-reset",
          "-A ufw-user-input -p udp --dport 23 -j REJECT",
          "-A ufw-user-logging-input -j RETURN");

  /** One client probe: what it sends, from where, and how long it waits for an answer. */
  private record Probe(String name, String kind, int port, String src, int sport, double timeout) {
    String json() {
      return String.format(
          "{\"name\":\"%s\",\"kind\":\"%s\",\"port\":%d,\"src\":\"%s\",\"sport\":%d,"
              + "\"timeout\":%s}",
          name, kind, port, src, sport, timeout);
    }
  }

  private static Probe tcp(String name, int port, double timeout) {
    return new Probe(name, "tcp", port, VethPeers.CLIENT_ADDR, 40000 + port, timeout);
  }

  private static Probe udp(String name, int port, double timeout) {
    return new Probe(name, "udp", port, VethPeers.CLIENT_ADDR, 41000 + port, timeout);
  }

  private static final Probe PING = new Probe("ping", "ping", 0, VethPeers.CLIENT_ADDR, 0, 2);

  /** What one side saw: each probe's outcome and time, the save, the LOG lines for the server. */
  private record Side(
      Map<String, String> outcomes, Map<String, Integer> ms, String save, List<String> lines) {}

  @Test
  void ufwAllowsSshRejectsDropsAndLogsAsTheKernel() throws Exception {
    List<Probe> probes =
        List.of(
            tcp("ssh", 22, 2),
            tcp("https", 443, 2),
            tcp("reject-tcp", 23, 2),
            tcp("denied-tcp", 8080, 0.5),
            udp("reject-udp", 23, 2),
            udp("denied-udp", 9999, 0.5),
            udp("netbios", 137, 0.5),
            PING);
    String listeners = "tcp/22,tcp/443,tcp/23,tcp/8080,udp/23,udp/9999,udp/137";
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("ssh", "connected:hello");
    expected.put("https", "connected:hello");
    expected.put("reject-tcp", "ECONNREFUSED");
    expected.put("denied-tcp", "timeout");
    expected.put("reject-udp", "ECONNREFUSED");
    expected.put("denied-udp", "timeout");
    expected.put("netbios", "timeout");
    expected.put("ping", "reply");

    String table = ufwTable();
    Side kernel = kernelSide(table, probes, listeners, false);
    Side ours = ourSide(table, probes, listeners, false);

    assertThat(kernel.outcomes()).as("the kernel's outcomes").isEqualTo(expected);
    assertThat(ours.outcomes()).as("our outcomes").isEqualTo(expected);
    assertThat(ours.ms().get("reject-tcp")).as("refused at once").isLessThan(1000);
    assertThat(ours.ms().get("reject-udp")).as("refused at once").isLessThan(1000);
    // the denied TCP SYN and UDP datagram reach ufw-after-logging-input; the rest is not logged
    assertThat(kernel.lines())
        .hasSize(2)
        .allMatch(l -> l.startsWith("<4>[UFW BLOCK] IN=sv OUT= MAC=_ SRC=10.9.0.1 DST=10.9.0.2"));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    // the one difference: the two REJECT replies (a 40-byte RST, a 64-byte port-unreachable)
    assertThat(ours.save()).isEqualTo(withUntrackedReplies(kernel.save(), 2, 104));
  }

  /**
   * {@code save} with {@code packets} and {@code bytes} moved from ufw-before-output's RELATED rule
   * to the rules they pass without it, up to OUTPUT's policy. The kernel's REJECT attaches the
   * rejected packet's conntrack to its reply (nf_ct_attach: RELATED, in the reply direction), so
   * its replies leave through that rule; ours leave from the umh's raw socket with no conntrack
   * entry to relate to (the rejected packet's was never confirmed), conntrack finds them INVALID,
   * and they fall through ufw's OUTPUT chains to the policy. Harmless under ufw's default allow
   * outgoing; a table that drops INVALID or unmatched output would drop our replies and not the
   * kernel's.
   */
  private static String withUntrackedReplies(String save, long packets, long bytes) {
    Map<String, Integer> moved =
        Map.of(
            "-A ufw-before-output -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", -1,
            "-A ufw-before-output -j ufw-user-output", 1,
            "-A OUTPUT -j ufw-after-output", 1,
            "-A OUTPUT -j ufw-after-logging-output", 1,
            "-A OUTPUT -j ufw-reject-output", 1,
            "-A OUTPUT -j ufw-track-output", 1);
    Pattern rule = Pattern.compile("\\[(\\d+):(\\d+)\\] (.*)");
    Pattern policy = Pattern.compile("(:OUTPUT ACCEPT) \\[(\\d+):(\\d+)\\]");
    List<String> out = new ArrayList<>();
    int changed = 0;
    for (String l : save.split("\n", -1)) {
      Matcher r = rule.matcher(l);
      Matcher p = policy.matcher(l);
      if (r.matches() && moved.containsKey(r.group(3))) {
        int sign = moved.get(r.group(3));
        long n = Long.parseLong(r.group(1)) + sign * packets;
        long b = Long.parseLong(r.group(2)) + sign * bytes;
        out.add("[" + n + ":" + b + "] " + r.group(3));
        changed++;
      } else if (p.matches()) {
        long n = Long.parseLong(p.group(2)) + packets;
        long b = Long.parseLong(p.group(3)) + bytes;
        out.add(p.group(1) + " [" + n + ":" + b + "]");
        changed++;
      } else {
        out.add(l);
      }
    }
    assertThat(changed).as("ufw's OUTPUT path").isEqualTo(moved.size() + 1);
    return String.join("\n", out);
  }

  /**
   * The known difference that follows: with `ufw default deny outgoing` (OUTPUT's policy DROP) the
   * kernel's REJECT replies still leave as RELATED, so a connect to the rejected port is refused at
   * once; ours fall to the policy and are dropped, so the client waits out its timeout. When
   * REJECT's replies carry the rejected packet's conntrack relation, both sides answer alike and
   * this test is to assert that instead.
   */
  @Test
  void denyOutgoingDropsOurRejectReplies() throws Exception {
    List<Probe> probes =
        List.of(tcp("ssh", 22, 2), tcp("reject-tcp", 23, 1), udp("reject-udp", 23, 1), PING);
    String listeners = "tcp/22,tcp/23,udp/23";
    String table = ufwTable().replace(":OUTPUT ACCEPT [0:0]", ":OUTPUT DROP [0:0]");
    Side kernel = kernelSide(table, probes, listeners, false);
    Side ours = ourSide(table, probes, listeners, false);
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("ssh", "connected:hello");
    expected.put("reject-tcp", "ECONNREFUSED");
    expected.put("reject-udp", "ECONNREFUSED");
    expected.put("ping", "reply");
    assertThat(kernel.outcomes()).isEqualTo(expected);
    expected.put("reject-tcp", "timeout");
    expected.put("reject-udp", "timeout");
    assertThat(ours.outcomes()).isEqualTo(expected);
  }

  @Test
  void firewalldPublicZoneAllowsSshRejectsAndLogsAsTheKernel() throws Exception {
    String rdpSource = "192.0.2.7";
    List<Probe> probes =
        List.of(
            tcp("ssh", 22, 2),
            tcp("added-port", 8443, 2),
            tcp("other-tcp", 23, 2),
            udp("other-udp", 23, 2),
            new Probe("rdp-from-denied-net", "tcp", 3389, rdpSource, 43389, 2),
            PING);
    String listeners = "tcp/22,tcp/8443,tcp/23,tcp/3389,udp/23";
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("ssh", "connected:hello");
    expected.put("added-port", "connected:hello");
    expected.put("other-tcp", "EHOSTUNREACH"); // icmp-host-prohibited
    expected.put("other-udp", "EHOSTUNREACH");
    expected.put("rdp-from-denied-net", "EHOSTUNREACH"); // icmp-admin-prohibited
    expected.put("ping", "reply");

    String table = firewalldTable();
    Side kernel = kernelSide(table, probes, listeners, true);
    Side ours = ourSide(table, probes, listeners, true);

    assertThat(kernel.outcomes()).as("the kernel's outcomes").isEqualTo(expected);
    assertThat(ours.outcomes()).as("our outcomes").isEqualTo(expected);
    for (String refused : List.of("other-tcp", "other-udp", "rdp-from-denied-net")) {
      assertThat(ours.ms().get(refused)).as("%s refused at once", refused).isLessThan(1000);
    }
    assertThat(kernel.lines())
        .hasSize(1)
        .allMatch(l -> l.startsWith("<4>rdp-try IN=sv OUT= MAC=_ SRC=192.0.2.7 DST=10.9.0.2"));
    assertThat(ours.lines()).isEqualTo(kernel.lines());
    assertThat(ours.save()).isEqualTo(kernel.save());
  }

  /**
   * ufw's `ufw limit 22/tcp` (as the script writes it) counts connections with -m recent, which the
   * compiler does not compile: enforcement refuses the table and names the match.
   */
  @Test
  void ufwLimitIsRefusedByName() throws Exception {
    FilterBed.assumeBpf();
    List<String> limit = new ArrayList<>();
    for (String l : script("21-ufw.sh").lines().toList()) {
      if (l.startsWith("iptables-legacy -A ufw-user-input") && l.contains("-m recent")) {
        limit.add(l.substring("iptables-legacy ".length()));
      }
    }
    assertThat(limit).hasSize(2);
    try (Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      bed.restore(ufwTable(limit));
      assertThatThrownBy(() -> enforcer.check(bed.read()))
          .isInstanceOf(Refusal.class)
          .hasMessageContaining("recent");
    }
  }

  private static String ufwTable() throws IOException {
    return ufwTable(UFW_USER_RULES);
  }

  /**
   * ufw's restore input from 21-ufw.sh with the built-in chains' policies (default deny incoming
   * and routed) and the script's jumps to ufw's chains, then {@code userRules}: the complete filter
   * table `ufw enable` leaves.
   */
  private static String ufwTable(List<String> userRules) throws IOException {
    String script = script("21-ufw.sh");
    List<String> out = new ArrayList<>();
    for (String l : heredoc(script).lines().toList()) {
      if (l.equals("COMMIT")) {
        continue;
      }
      out.add(l);
      if (l.equals("*filter")) {
        out.addAll(List.of(":INPUT DROP [0:0]", ":FORWARD DROP [0:0]", ":OUTPUT ACCEPT [0:0]"));
      }
    }
    for (String l : script.lines().toList()) {
      if (l.matches("iptables-legacy -A (INPUT|OUTPUT|FORWARD) -j ufw-.*")) {
        out.add(l.substring("iptables-legacy ".length()));
      }
    }
    assertThat(out).as("ufw's jumps").contains("-A INPUT -j ufw-after-logging-input");
    out.addAll(userRules);
    out.add("COMMIT");
    return String.join("\n", out) + "\n";
  }

  /**
   * firewalld's *filter from 26-firewalld-zones.sh's restore input with the filter rules
   * `firewall-cmd --add-service=ssh --add-service=mdns --add-port=8443/tcp` and its rich rule add
   * (the script's commands before it changes the interface's zone).
   */
  private static String firewalldTable() throws IOException {
    String script = script("26-firewalld-zones.sh");
    String all = heredoc(script);
    String filter = all.substring(all.indexOf("*filter\n"));
    List<String> out = new ArrayList<>(filter.lines().filter(l -> !l.equals("COMMIT")).toList());
    for (String l : script.lines().toList()) {
      if (l.startsWith("# changing the interface's zone")) {
        break;
      }
      if (l.startsWith("iptables-legacy -w10 -A ")) {
        out.add(l.substring("iptables-legacy -w10 ".length()));
      }
    }
    assertThat(out).as("firewalld's service rules").anyMatch(l -> l.contains("--dport 22 "));
    out.add("COMMIT");
    return String.join("\n", out) + "\n";
  }

  private static String script(String name) throws IOException {
    try (InputStream in = RealRulesetKernelTest.class.getResourceAsStream(SCRIPTS + name)) {
      assertThat(in).as(name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The first here-document (<<'R' ... R) of a scenario script: its iptables-restore input. */
  private static String heredoc(String script) {
    Matcher m = Pattern.compile("<<'R'\n(.*?)\nR\n", Pattern.DOTALL).matcher(script);
    assertThat(m.find()).isTrue();
    return m.group(1) + "\n";
  }

  private static void requireTools() {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Require.that(Files.exists(LOG_ALL_NETNS), "no " + LOG_ALL_NETNS + " (nf_log_syslog)");
  }

  private Side kernelSide(String table, List<Probe> probes, String listeners, boolean rdpNet)
      throws Exception {
    requireTools();
    String logAll = Files.readString(LOG_ALL_NETNS).trim();
    try (VethPeers peers = peers(rdpNet)) {
      TestNetns.Result restored = peers.server().exec(table, "iptables-legacy-restore");
      assertThat(restored.rc()).as("kernel restore: %s\n%s", restored.err(), table).isZero();
      Files.writeString(LOG_ALL_NETNS, "1");
      try {
        List<?> run = runProbes(peers, probes, listeners);
        String save =
            FilterBed.withoutComments(
                peers.server().exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
        Thread.sleep(200);
        String mac = mac(peers.server());
        List<String> lines = new ArrayList<>();
        for (String l : TestNetns.run(List.of("dmesg", "-r"), "").out().split("\n")) {
          if (l.contains("MAC=" + mac)) {
            lines.add(sameRun(l.replaceFirst("^(<\\d+>)\\[[^]]*\\] ?", "$1")));
          }
        }
        return side(run, save, lines);
      } finally {
        Files.writeString(LOG_ALL_NETNS, logAll);
      }
    }
  }

  private Side ourSide(String table, List<Probe> probes, String listeners, boolean rdpNet)
      throws Exception {
    requireTools();
    List<String> logged = new CopyOnWriteArrayList<>();
    try (VethPeers peers = peers(rdpNet);
        Enforcer enforcer = Enforcer.open();
        FilterBed bed = new FilterBed()) {
      bed.restore(table);
      Netns.call(
          enforcer.bpf(),
          peers.server().path(),
          () -> {
            enforcer.listen(logged::add);
            return enforcer.install(bed.read());
          });
      List<?> run = runProbes(peers, probes, listeners);
      List<XtCounters> counters = enforcer.live().orElseThrow().counters();
      bed.port.set(
          Sockopt.IPT_SO_SET_ADD_COUNTERS.cmd(), new XtCountersInfo("filter", counters).encode());
      StringBuilder save = new StringBuilder();
      new IptablesSave(bed.iptables, ZonedDateTime::now)
          .run(List.of("-c", "-t", "filter"), save, new StringBuilder());
      String mac = mac(peers.server());
      List<String> lines =
          logged.stream()
              .filter(l -> l.contains("MAC=" + mac))
              .map(RealRulesetKernelTest::sameRun)
              .toList();
      return side(run, FilterBed.withoutComments(save.toString()), lines);
    }
  }

  /**
   * The veth pair; with {@code rdpNet} the client also holds 192.0.2.7 (firewalld's rich rule logs
   * and rejects 192.0.2.0/24) and the server routes that net back over the veth.
   */
  private static VethPeers peers(boolean rdpNet) throws Exception {
    VethPeers peers = VethPeers.create();
    try {
      if (rdpNet) {
        peers.client().ip("addr", "add", "192.0.2.7/32", "dev", "cv");
        peers.server().ip("route", "add", "192.0.2.0/24", "dev", "sv");
      }
      return peers;
    } catch (Exception | AssertionError e) {
      peers.close();
      throw e;
    }
  }

  /** The server's listeners up, the client's probes run, the server stopped: the outcomes. */
  private static List<?> runProbes(VethPeers peers, List<Probe> probes, String listeners)
      throws Exception {
    Process server =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                peers.server().name,
                Python3.command(),
                "-c",
                resource("/bpf/ruleset_server.py"),
                VethPeers.SERVER_ADDR,
                listeners)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader ready =
          new BufferedReader(
              new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      assertThat(ready.readLine()).as("the server's listeners").isEqualTo("ready");
      String json = "[" + String.join(",", probes.stream().map(Probe::json).toList()) + "]";
      TestNetns.Result r =
          peers
              .client()
              .exec(
                  "",
                  Python3.command(),
                  "-c",
                  resource("/bpf/ruleset_probes.py"),
                  VethPeers.SERVER_ADDR,
                  json);
      assertThat(r.rc()).as("probes: %s", r.err()).isZero();
      Thread.sleep(300); // the last connection's closing segments, counted on both sides
      return (List<?>) JsonReader.parseObject(r.out().trim()).get("probes");
    } finally {
      server.destroyForcibly();
      server.waitFor();
    }
  }

  private static Side side(List<?> run, String save, List<String> lines) {
    Map<String, String> outcomes = new LinkedHashMap<>();
    Map<String, Integer> ms = new LinkedHashMap<>();
    for (Object o : run) {
      Map<?, ?> p = (Map<?, ?>) o;
      outcomes.put((String) p.get("probe"), (String) p.get("result"));
      ms.put((String) p.get("probe"), ((Number) p.get("ms")).intValue());
    }
    return new Side(outcomes, ms, save, lines);
  }

  /** The server veth's MAC: the LOG lines for this run's packets carry it. */
  private static String mac(TestNetns server) throws Exception {
    TestNetns.Result r = server.exec("", "cat", "/sys/class/net/sv/address");
    assertThat(r.rc()).as(r.err()).isZero();
    return r.out().trim();
  }

  /** A log line with what differs between two runs blanked: the random MACs and IP ids. */
  private static String sameRun(String line) {
    return line.stripTrailing().replaceAll("MAC=\\S+", "MAC=_").replaceAll(" ID=\\d+", " ID=_");
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RealRulesetKernelTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

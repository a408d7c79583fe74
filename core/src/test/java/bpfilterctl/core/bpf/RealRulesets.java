package bpfilterctl.core.bpf;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Python3;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ufw's and firewalld's filter tables built from the scenario scripts 21-ufw.sh and
 * 26-firewalld-zones.sh, the client probes run against a server behind them (ruleset_probes.py,
 * ruleset_server.py), and the kernel's side of the comparison (iptables-legacy-restore in the
 * server's namespace, LOG lines from dmesg): what RealRulesetKernelTest and the enforcing daemon's
 * test share.
 */
public final class RealRulesets {
  private RealRulesets() {}

  private static final String SCRIPTS = "/rules/scenarios/scripts/";

  /**
   * ufw's user rules as `ufw allow 22/tcp`, `ufw allow 80,443/tcp`, the script's database rule and
   * denies, and `ufw reject 23` (TCP answered with a reset, UDP with port-unreachable) write them.
   */
  public static final List<String> UFW_USER_RULES =
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
  public record Probe(String name, String kind, int port, String src, int sport, double timeout) {
    String json() {
      return String.format(
          "{\"name\":\"%s\",\"kind\":\"%s\",\"port\":%d,\"src\":\"%s\",\"sport\":%d,"
              + "\"timeout\":%s}",
          name, kind, port, src, sport, timeout);
    }
  }

  public static Probe tcp(String name, int port, double timeout) {
    return new Probe(name, "tcp", port, VethPeers.CLIENT_ADDR, 40000 + port, timeout);
  }

  public static Probe udp(String name, int port, double timeout) {
    return new Probe(name, "udp", port, VethPeers.CLIENT_ADDR, 41000 + port, timeout);
  }

  public static final Probe PING = new Probe("ping", "ping", 0, VethPeers.CLIENT_ADDR, 0, 2);

  /** What one side saw: each probe's outcome and time, the save, the LOG lines for the server. */
  public record Side(
      Map<String, String> outcomes, Map<String, Integer> ms, String save, List<String> lines) {}

  public static String ufwTable() throws IOException {
    return ufwTable(UFW_USER_RULES);
  }

  /**
   * ufw's restore input from 21-ufw.sh with the built-in chains' policies (default deny incoming
   * and routed) and the script's jumps to ufw's chains, then {@code userRules}: the complete filter
   * table `ufw enable` leaves.
   */
  public static String ufwTable(List<String> userRules) throws IOException {
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
  public static String firewalldTable() throws IOException {
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

  public static String script(String name) throws IOException {
    try (InputStream in = RealRulesets.class.getResourceAsStream(SCRIPTS + name)) {
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

  public static void requireTools() {
    FilterBed.assumeBpf();
    Require.that(
        Files.isExecutable(Path.of("/usr/sbin/iptables-legacy-restore")),
        "iptables-legacy-restore is not installed");
    Require.that(
        Files.exists(LogAllNetns.SETTING), "no " + LogAllNetns.SETTING + " (nf_log_syslog)");
  }

  public static Side kernelSide(String table, List<Probe> probes, String listeners, boolean rdpNet)
      throws Exception {
    requireTools();
    try (VethPeers peers = peers(rdpNet)) {
      TestNetns.Result restored = peers.server().exec(table, "iptables-legacy-restore");
      assertThat(restored.rc()).as("kernel restore: %s\n%s", restored.err(), table).isZero();
      LogAllNetns logAll = LogAllNetns.on();
      try {
        List<?> run = runProbes(peers, probes, listeners);
        String save =
            FilterBed.withoutComments(
                peers.server().exec("", "iptables-legacy-save", "-c", "-t", "filter").out());
        Thread.sleep(200);
        String mac = mac(peers.server());
        List<String> lines = new ArrayList<>();
        for (String l : KernelLog.linesWith("MAC=" + mac)) {
          lines.add(sameRun(l));
        }
        return side(run, save, lines);
      } finally {
        logAll.close();
      }
    }
  }

  /**
   * The veth pair; with {@code rdpNet} the client also holds 192.0.2.7 (firewalld's rich rule logs
   * and rejects 192.0.2.0/24) and the server routes that net back over the veth.
   */
  public static VethPeers peers(boolean rdpNet) throws Exception {
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
  public static List<?> runProbes(VethPeers peers, List<Probe> probes, String listeners)
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

  public static Side side(List<?> run, String save, List<String> lines) {
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
  public static String mac(TestNetns server) throws Exception {
    TestNetns.Result r = server.exec("", "cat", "/sys/class/net/sv/address");
    assertThat(r.rc()).as(r.err()).isZero();
    return r.out().trim();
  }

  /** A log line with what differs between two runs blanked: the random MACs and IP ids. */
  public static String sameRun(String line) {
    return line.stripTrailing().replaceAll("MAC=\\S+", "MAC=_").replaceAll(" ID=\\d+", " ID=_");
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = RealRulesets.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The LOG lines of this run's server among {@code logged}, as {@link #sameRun} blanks them. */
  public static List<String> serverLines(List<String> logged, TestNetns server) throws Exception {
    String mac = mac(server);
    return logged.stream()
        .filter(l -> l.contains("MAC=" + mac))
        .map(RealRulesets::sameRun)
        .toList();
  }
}

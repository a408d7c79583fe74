package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtOptionType.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import bpfilterctl.core.iptables.RuleException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The generic option parser against iptables-legacy's messages for the oracle's failing lines whose
 * message comes from libxtables itself, with option tables as the extensions declare them.
 */
class XtOptionParserTest {
  private static final int INV = XtOption.INVERT;
  private static final int MAND = XtOption.MAND;

  private static final Lookups LOOKUPS =
      new Lookups(Path.of("/etc/services"), Path.of("/etc/protocols"));

  /** Option tables keyed by the extension name after -m/-j. */
  private static final Map<String, List<XtOption>> TABLES =
      Map.ofEntries(
          Map.entry(
              "NFLOG",
              List.of(
                  XtOption.of("nflog-group", UINT16, 0, 0),
                  XtOption.of("nflog-prefix", STRING, 1, 0),
                  XtOption.of("nflog-range", UINT32, 2, 0),
                  XtOption.of("nflog-threshold", UINT16, 3, 0),
                  XtOption.of("nflog-size", UINT32, 4, 0))),
          Map.entry(
              "DSCP",
              List.of(
                  XtOption.of("set-dscp", UINT8, 0, 0).withExcl(2).withRange(0, 63),
                  XtOption.of("set-dscp-class", STRING, 1, 0).withExcl(1))),
          Map.entry(
              "TTL",
              List.of(
                  XtOption.of("ttl-set", UINT8, 0, 0).withExcl(7),
                  XtOption.of("ttl-dec", UINT8, 1, 0).withExcl(7).withRange(1, 0),
                  XtOption.of("ttl-inc", UINT8, 2, 0).withExcl(7).withRange(1, 0))),
          Map.entry(
              "NFQUEUE",
              List.of(
                  XtOption.of("queue-num", UINT16, 0, 0),
                  XtOption.of("queue-balance", UINT16RC, 1, 0))),
          Map.entry(
              "connbytes",
              List.of(
                  XtOption.of("connbytes", UINT64RC, 0, MAND | INV),
                  XtOption.of("connbytes-dir", STRING, 1, MAND),
                  XtOption.of("connbytes-mode", STRING, 2, MAND))),
          Map.entry("comment", List.of(XtOption.of("comment", STRING, 0, MAND).withRange(0, 255))),
          Map.entry(
              "TEE",
              List.of(XtOption.of("gateway", HOST, 0, MAND), XtOption.of("oif", STRING, 1, 0))),
          Map.entry(
              "statistic",
              List.of(
                  XtOption.of("mode", STRING, 0, MAND),
                  XtOption.of("probability", DOUBLE, 1, INV).withExcl(12).withRange(0, 1),
                  XtOption.of("every", UINT32, 2, INV).withExcl(2).withAlso(8).withRange(1, 0),
                  XtOption.of("packet", UINT32, 3, 0).withExcl(2).withAlso(4))),
          Map.entry("mac", List.of(XtOption.of("mac-source", ETHERMAC, 0, MAND | INV))),
          Map.entry("tos", List.of(XtOption.of("tos", TOSMASK, 0, MAND | INV).withRange(0, 0xff))),
          Map.entry(
              "LOG",
              List.of(
                  XtOption.of("log-level", SYSLOGLEVEL, 0, 0),
                  XtOption.of("log-prefix", STRING, 1, 0).withRange(0, 29))),
          Map.entry("mark", List.of(XtOption.of("mark", MARKMASK32, 0, MAND | INV))),
          Map.entry("connmark", List.of(XtOption.of("mark", MARKMASK32, 0, MAND | INV))),
          Map.entry("MARK", List.of(XtOption.of("set-xmark", MARKMASK32, 0, 0))),
          Map.entry("tcpmss", List.of(XtOption.of("mss", UINT16RC, 0, MAND | INV))),
          Map.entry("ah", List.of(XtOption.of("ahspi", UINT32RC, 0, INV))),
          Map.entry("esp", List.of(XtOption.of("espspi", UINT32RC, 0, INV))),
          Map.entry("DNAT", List.of(XtOption.of("to-destination", STRING, 0, MAND))),
          Map.entry("quota", List.of(XtOption.of("quota", UINT64, 0, MAND | INV))),
          Map.entry(
              "osf",
              List.of(
                  XtOption.of("genre", STRING, 0, MAND | INV),
                  XtOption.of("ttl", UINT32, 1, 0).withRange(0, 2),
                  XtOption.of("log", UINT32, 2, 0).withRange(0, 2))),
          Map.entry(
              "owner",
              List.of(
                  XtOption.of("gid-owner", STRING, 1, INV),
                  XtOption.of("suppl-groups", NONE, 3, 0))),
          Map.entry(
              "udp",
              List.of(
                  XtOption.of("source-port", PORTRC, 0, INV),
                  XtOption.of("sport", PORTRC, 0, INV),
                  XtOption.of("destination-port", PORTRC, 1, INV),
                  XtOption.of("dport", PORTRC, 1, INV))),
          Map.entry(
              "dscp",
              List.of(
                  XtOption.of("dscp", UINT8, 0, INV).withExcl(2).withRange(0, 63),
                  XtOption.of("dscp-class", STRING, 1, INV).withExcl(1))),
          Map.entry(
              "connlimit",
              List.of(
                  XtOption.of("connlimit-upto", UINT32, 0, 0).withExcl(3),
                  XtOption.of("connlimit-above", UINT32, 1, 0).withExcl(3),
                  XtOption.of("connlimit-mask", PLEN, 2, 0),
                  XtOption.of("connlimit-saddr", NONE, 3, 0).withExcl(1 << 4),
                  XtOption.of("connlimit-daddr", NONE, 4, 0).withExcl(1 << 3))),
          Map.entry(
              "addrtype",
              List.of(
                  XtOption.of("src-type", STRING, 0, INV),
                  XtOption.of("dst-type", STRING, 1, INV),
                  XtOption.of("limit-iface-in", NONE, 2, 0).withExcl(1 << 3),
                  XtOption.of("limit-iface-out", NONE, 3, 0).withExcl(1 << 2))),
          Map.entry(
              "recent",
              List.of(
                  XtOption.of("set", NONE, 0, INV).withExcl(0x0f),
                  XtOption.of("rcheck", NONE, 1, INV).withExcl(0x0f),
                  XtOption.of("update", NONE, 2, INV).withExcl(0x0f),
                  XtOption.of("remove", NONE, 3, INV).withExcl(0x0f),
                  XtOption.of("seconds", UINT32, 4, 0),
                  XtOption.of("rttl", NONE, 5, 0).withExcl(0x09))),
          Map.entry("state", List.of(XtOption.of("state", STRING, 0, MAND | INV))),
          Map.entry("length", List.of(XtOption.of("length", UINT16RC, 0, MAND | INV))),
          Map.entry(
              "ttl",
              List.of(
                  XtOption.of("ttl-eq", UINT8, 0, INV).withExcl(7),
                  XtOption.of("ttl-lt", UINT8, 1, 0).withExcl(7),
                  XtOption.of("ttl-gt", UINT8, 2, 0).withExcl(7))));

  /** Runs the options of a rule's one -m/-j segment; the first message, or null. */
  private static RuleException run(String rule) {
    List<String> t = RuleText.split(rule);
    int at = t.indexOf("-m") >= 0 ? t.indexOf("-m") : t.indexOf("-j");
    String ext = t.get(at + 1);
    List<XtOption> table = TABLES.get(ext);
    int seen = 0;
    boolean invert = false;
    try {
      for (int i = at + 2; i < t.size(); i++) {
        String tok = t.get(i);
        if (tok.equals("!")) {
          invert = true;
          continue;
        }
        String name = tok.substring(2);
        XtOption o = table.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
        String arg = o.takesArgument() && i + 1 < t.size() ? t.get(++i) : null;
        XtOptionParser.value(ext, o, arg, invert, seen, LOOKUPS);
        seen |= 1 << o.id();
        invert = false;
      }
      XtOptionParser.check(ext, table, seen);
      return null;
    } catch (RuleException e) {
      return e;
    }
  }

  @Test
  void genericMessagesMatchIptables() {
    List<String> mismatches = new ArrayList<>();
    int checked = 0;
    for (OracleCases.Case c : OracleCases.suite()) {
      if (c.rc() != 2 || !generic(c.message())) {
        continue;
      }
      List<String> t = RuleText.split(c.rule());
      int at = t.indexOf("-m") >= 0 ? t.indexOf("-m") : t.indexOf("-j");
      if (at < 0 || !TABLES.containsKey(t.get(at + 1))) {
        continue;
      }
      checked++;
      RuleException e = run(c.rule());
      String got = e == null ? "(accepted)" : e.getMessage().stripTrailing();
      if (!got.equals(c.message()) || e.status() != RuleException.Status.PARAMETER) {
        mismatches.add(c.rule() + "\n   want " + c.message() + "\n   got  " + got);
      }
    }
    assertThat(checked).isGreaterThan(60);
    assertThat(mismatches).as(mismatches.stream().collect(Collectors.joining("\n"))).isEmpty();
  }

  private static boolean generic(String m) {
    if (m.contains("must be specified") && !m.contains("option \"--")) {
      return false;
    }
    return List.of(
            "bad value for option",
            "can only be used once",
            "cannot be inverted",
            "must be specified",
            "cannot be used together",
            "also requires",
            "Too many components",
            "unexpected characters",
            "bad integer value",
            "trailing garbage",
            "log level",
            "Invalid MAC",
            "does not resolve",
            "Symbolic name",
            "maximum length")
        .stream()
        .anyMatch(m::contains);
  }

  @Test
  void rangesFillTheirMissingBounds() throws RuleException {
    XtOption len = XtOption.of("length", UINT16RC, 0, 0);
    assertThat(XtOptionParser.value("length", len, "5:", false, 0, LOOKUPS).vals())
        .containsExactly(5, 65535);
    assertThat(XtOptionParser.value("length", len, ":7", false, 0, LOOKUPS).vals())
        .containsExactly(0, 7);
    XtArg one = XtOptionParser.value("length", len, "0x10", false, 0, LOOKUPS);
    assertThat(one.nvals()).isEqualTo(1);
    assertThat(one.val()).isEqualTo(16);
    assertThatThrownBy(() -> XtOptionParser.value("length", len, "1:2:3", false, 0, LOOKUPS))
        .hasMessage("length: Too many components for option \"--length\" (max: 2)\n");
    assertThatThrownBy(() -> XtOptionParser.value("length", len, "1x", false, 0, LOOKUPS))
        .hasMessage("length: Argument to \"--length\" has unexpected characters near \"x\".\n");
  }

  @Test
  void portsAreNumbersOrServices() throws RuleException {
    XtOption p = XtOption.of("dport", PORTRC, 0, 0);
    assertThat(XtOptionParser.value("udp", p, "domain", false, 0, LOOKUPS).vals())
        .containsExactly(53, 53);
    assertThat(XtOptionParser.value("udp", p, "70000", false, 0, LOOKUPS).vals())
        .containsExactly(4464, 4464);
    assertThat(XtOptionParser.value("udp", p, ":", false, 0, LOOKUPS).vals())
        .containsExactly(0, 65535);
    assertThatThrownBy(() -> XtOptionParser.value("udp", p, "2147483648", false, 0, LOOKUPS))
        .hasMessage("Port \"2147483648\" does not resolve to anything.\n");
    assertThatThrownBy(() -> XtOptionParser.value("udp", p, "0x50", false, 0, LOOKUPS))
        .hasMessage("Port \"0x50\" does not resolve to anything.\n");
  }

  @Test
  void addressesMasksAndMacs() throws RuleException {
    XtOption hm = XtOption.of("mask", HOSTMASK, 0, 0);
    XtArg a = XtOptionParser.value("x", hm, "10.1/255.255.0.0", false, 0, LOOKUPS);
    assertThat(a.addr()).containsExactly(10, 0, 0, 1);
    assertThat(a.mask()).containsExactly(-1, -1, 0, 0);
    assertThat(a.val()).isEqualTo(16);
    XtOption plen = XtOption.of("connlimit-mask", PLEN, 0, 0);
    // inet_aton reads "33" as 0.0.0.33, a mask that is no prefix: all ones, as iptables does.
    assertThat(
            XtOptionParser.value("x", XtOption.of("m", PLENMASK, 0, 0), "33", false, 0, LOOKUPS)
                .mask())
        .containsExactly(-1, -1, -1, -1);
    assertThatThrownBy(() -> XtOptionParser.value("connlimit", plen, "abc", false, 0, LOOKUPS))
        .hasMessage(
            "connlimit: bad value for option \"--connlimit-mask\", neither a valid network mask"
                + " nor valid CIDR (0-32).");
    XtOption mac = XtOption.of("mac-source", ETHERMAC, 0, 0);
    assertThat(XtOptionParser.value("mac", mac, "0:1:a:FF:00:42", false, 0, LOOKUPS).addr())
        .containsExactly(0, 1, 10, -1, 0, 0x42);
    XtOption m = XtOption.of("mark", MARKMASK32, 0, 0);
    assertThat(XtOptionParser.value("mark", m, "0x10/0xf0", false, 0, LOOKUPS).vals())
        .containsExactly(16, 0xf0);
    assertThatThrownBy(() -> XtOptionParser.value("mark", m, "1x", false, 0, LOOKUPS))
        .hasMessage("mark: trailing garbage after value for option \"--mark\".");
  }
}

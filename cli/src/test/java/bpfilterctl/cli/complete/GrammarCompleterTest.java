package bpfilterctl.cli.complete;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.ShellWordsParser;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GrammarCompleterTest {
  private final Session session = Session.embedded();
  private final PrintWriter sink = new PrintWriter(new StringWriter());

  @AfterEach
  void close() {
    session.close();
  }

  private List<Candidate> candidates(String line) {
    CommandLine root = Commands.create(session, sink, sink);
    ParsedLine parsed =
        new ShellWordsParser().parse(line, line.length(), Parser.ParseContext.COMPLETE);
    List<Candidate> out = new ArrayList<>();
    new GrammarCompleter(
            root,
            new GrammarValues(ChainSource.BUILTIN, ExtensionRegistry.kernel()),
            new IptablesLineCompleter(ChainSource.BUILTIN, XtExtensions.standard()))
        .complete(null, parsed, out);
    return out;
  }

  private List<String> complete(ChainSource chains, String line) {
    CommandLine root = Commands.create(session, sink, sink);
    ParsedLine parsed =
        new ShellWordsParser().parse(line, line.length(), Parser.ParseContext.COMPLETE);
    List<Candidate> out = new ArrayList<>();
    new GrammarCompleter(
            root,
            new GrammarValues(chains, ExtensionRegistry.kernel()),
            new IptablesLineCompleter(chains, XtExtensions.standard()))
        .complete(null, parsed, out);
    return out.stream().map(Candidate::value).toList();
  }

  private List<String> complete(String line) {
    return complete(ChainSource.BUILTIN, line);
  }

  @Test
  void theFirstWordIsACommand() {
    assertThat(complete("")).contains("load", "status", "help", "exit", "completion", "iptables");
    assertThat(complete("sta")).contains("status");
  }

  @Test
  void optionsOfTheCommandBeforeTheCursor() {
    assertThat(complete("status --")).contains("--json", "--help").doesNotContain("--batch");
    assertThat(complete("--")).contains("--batch", "--color", "--keep-going", "--version");
  }

  @Test
  void valuesOfOptionsAndPositionals() {
    assertThat(complete("--color ")).containsExactly("auto", "always", "never");
    assertThat(complete("--color="))
        .containsExactly("--color=auto", "--color=always", "--color=never");
    assertThat(complete("completion ")).containsExactly("bash", "zsh");
    assertThat(complete("help ")).contains("status", "load");
  }

  @Test
  void tablesChainsOfTheNamedTableAndTargets() {
    assertThat(complete("iptables -t "))
        .containsExactly("filter", "nat", "mangle", "raw", "security");
    assertThat(complete("iptables -A ")).containsExactly("INPUT", "FORWARD", "OUTPUT");
    assertThat(complete("iptables -t nat -A "))
        .containsExactly("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING");
    // a rule cannot jump to a built-in chain (libiptc refuses it), so none is offered
    assertThat(complete("iptables -t raw -A OUTPUT -j "))
        .startsWith("ACCEPT", "DROP", "QUEUE", "RETURN")
        .contains("CT", "NOTRACK", "LOG")
        // the kernel keeps REJECT to the filter table
        .doesNotContain("", "ERROR", "PREROUTING", "OUTPUT", "REJECT")
        .doesNotHaveDuplicates();
    assertThat(complete("iptables -A INPUT -p tcp -m multiport --"))
        .contains("--dports", "--ports", "--dport", "--tcp-flags", "--jump", "--table");
    assertThat(complete("iptables -A INPUT -j LOG --log-")).contains("--log-prefix", "--log-level");
    assertThat(complete("iptables -P INPUT ")).containsExactly("ACCEPT", "DROP");
  }

  @Test
  void targetsTheKernelKeepsToOneTableAreOfferedInThatTableOnly() {
    assertThat(complete("iptables -A INPUT -j "))
        .contains("REJECT", "LOG")
        .doesNotContain("DNAT", "SNAT", "MASQUERADE", "REDIRECT");
    assertThat(complete("iptables -t nat -A PREROUTING -j ")).contains("DNAT", "REDIRECT", "LOG");
  }

  @Test
  void commandDescriptionsAreWholeSummaries() {
    for (Candidate c : candidates("")) {
      if (c.group().equals("commands")) {
        assertThat(c.descr()).as(c.value()).doesNotContain("%n").matches("[A-Z].*[.?]");
      }
    }
    assertThat(candidates("").stream().filter(c -> c.value().equals("iptables")).findFirst())
        .hasValueSatisfying(
            c -> assertThat(c.descr()).isEqualTo("Run iptables-legacy 1.8.9 against the module."));
  }

  @Test
  void everyOptionOfferedHasADescription() {
    for (String line :
        List.of(
            "status --",
            "iptables -A INPUT -p tcp -m multiport -j LOG --",
            "iptables-save -",
            "iptables-restore -")) {
      List<Candidate> out = candidates(line);
      assertThat(out).as(line).isNotEmpty();
      assertThat(out).as(line).allSatisfy(c -> assertThat(c.descr()).as(c.value()).isNotBlank());
    }
    assertThat(complete("iptables-save -")).contains("-c", "--counters", "-t", "--file");
    assertThat(complete("iptables-restore -T ")).contains("filter", "nat");
  }

  @Test
  void getAndSetSubcommandsTablesAndExtensionNames() {
    assertThat(complete("get ")).containsExactly("info", "entries", "revision");
    assertThat(complete("set ")).containsExactly("replace", "counters");
    assertThat(complete("get revision ")).containsExactly("match", "target");
    assertThat(complete("get info -t "))
        .containsExactly("filter", "nat", "mangle", "raw", "security");
    assertThat(complete("get entries --table "))
        .containsExactly("filter", "nat", "mangle", "raw", "security");
    assertThat(complete("set counters -t ")).contains("filter", "nat");
    assertThat(complete("get info --")).contains("--table", "--hex", "--json", "--help");
    assertThat(complete("get revision match ")).contains("tcp", "conntrack", "multiport");
    assertThat(complete("get revision target "))
        .contains("REJECT", "LOG", "DNAT")
        .doesNotContain("", "ERROR", "ACCEPT", "INPUT");
  }

  @Test
  void theSessionsChainSourcePlugsInLiveChains() {
    ChainSource live = table -> List.of("INPUT", "FORWARD", "OUTPUT", "from-" + table);
    assertThat(complete(live, "iptables -A ")).contains("from-filter");
    assertThat(complete(live, "iptables -t nat -A INPUT -j ")).contains("from-nat");
    assertThat(complete(live, "iptables -m ")).contains("tcp", "conntrack", "multiport");
  }

  @Test
  void fileNamesWhereAFileIsExpected(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("rules.bpf"), "");
    String line = "--batch " + dir + "/ru";
    CommandLine root = Commands.create(session, sink, sink);
    ParsedLine parsed =
        new ShellWordsParser().parse(line, line.length(), Parser.ParseContext.COMPLETE);
    List<Candidate> out = new ArrayList<>();
    org.jline.terminal.Terminal t =
        org.jline.terminal.TerminalBuilder.builder()
            .dumb(true)
            .streams(
                new java.io.ByteArrayInputStream(new byte[0]), new java.io.ByteArrayOutputStream())
            .build();
    org.jline.reader.LineReader reader =
        org.jline.reader.LineReaderBuilder.builder().terminal(t).build();
    new GrammarCompleter(root, new GrammarValues(ChainSource.BUILTIN, ExtensionRegistry.kernel()))
        .complete(reader, parsed, out);
    assertThat(out.stream().map(Candidate::value)).anyMatch(v -> v.endsWith("rules.bpf"));
    t.close();
  }
}

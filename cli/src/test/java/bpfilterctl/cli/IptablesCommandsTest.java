package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.module.ModuleState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * iptables, iptables-save and iptables-restore as shell commands: iptables' own options reach the
 * front-end untouched by picocli, the module loads on first use, output and exit statuses are
 * iptables', and a restore whose second table fails leaves that table as it was.
 */
class IptablesCommandsTest {
  @TempDir Path dir;
  private final Session session = Session.embedded();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @AfterEach
  void close() {
    session.close();
  }

  private int run(String... args) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);
    return Commands.create(session, new PrintWriter(out, true), new PrintWriter(err, true))
        .execute(args);
  }

  @Test
  void helpAndVersionNeedNoModule() {
    assertThat(run("iptables", "-p", "tcp", "-m", "limit", "-j", "LOG", "-h")).isZero();
    assertThat(out.toString())
        .startsWith("iptables v1.8.9 (legacy)\n\nUsage: iptables -[ACD] chain")
        .contains("\nLOG target options:\n")
        .contains("\nlimit match options:\n")
        // 1.8.9 loads -p's match for -h only when no -m came before
        .doesNotContain("tcp match options:");
    assertThat(run("iptables", "-V")).isZero();
    assertThat(out.toString()).isEqualTo("iptables v1.8.9 (legacy)\n");
    assertThat(session.embeddedHost().status().state()).isEqualTo(ModuleState.UNLOADED);
  }

  @Test
  void theModuleLoadsOnFirstUseAndRulesGoInAsTyped() {
    assertThat(session.embeddedHost().status().state()).isEqualTo(ModuleState.UNLOADED);
    assertThat(run("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT"))
        .as(err.toString())
        .isZero();
    assertThat(session.embeddedHost().status().state()).isEqualTo(ModuleState.HEALTHY);
    assertThat(run("iptables", "-h")).isZero();
    assertThat(out.toString()).contains("Usage: iptables");
    assertThat(run("iptables", "-S", "INPUT")).isZero();
    assertThat(out.toString())
        .isEqualTo("-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n");
    assertThat(run("iptables", "-L", "INPUT", "-n", "--line-numbers")).isZero();
    assertThat(out.toString())
        .contains("1    ACCEPT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22");
  }

  @Test
  void iptablesErrorsKeepTheirWordsAndExitStatuses() {
    assertThat(run("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "99999")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "iptables v1.8.9 (legacy): invalid port/service `99999' specified\n"
                + "Try `iptables -h' or 'iptables --help' for more information.\n");
    assertThat(run("iptables", "-D", "INPUT", "3")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("iptables: Index of deletion too big.\n");
    assertThat(run("iptables", "-t", "nosuch", "-L")).isEqualTo(3);
    assertThat(run("iptables", "-N", "x")).isZero();
    assertThat(run("iptables", "-A", "INPUT", "-j", "x")).isZero();
    assertThat(run("iptables", "-X", "x")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("iptables: Too many links.\n");
    assertThat(run("iptables", "-S")).isZero();
    assertThat(out.toString()).endsWith("-N x\n-A INPUT -j x\n");
  }

  @Test
  void aRestoreCommitsEachTableWholeOrNotAtAll() throws Exception {
    Path rules = dir.resolve("rules.v4");
    Files.writeString(
        rules,
        "*filter\n:INPUT DROP [0:0]\n:ssh - [0:0]\n-A INPUT -p tcp --dport 22 -j ssh\n"
            + "-A ssh -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n"
            + "*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -j MASQUERADE\n"
            + "-A POSTROUTING -p tcp --dport 70000 -j MASQUERADE\nCOMMIT\n");
    assertThat(run("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "eth0", "-j", "MASQUERADE"))
        .as(err.toString())
        .isZero();
    assertThat(run("iptables-restore", rules.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("invalid port/service `70000' specified");
    assertThat(err.toString()).contains("Error occurred at line: 10");
    assertThat(run("iptables-save")).isZero();
    String saved = out.toString();
    assertThat(saved).contains(":INPUT DROP [0:0]", ":ssh - [0:0]", "-A ssh -s 192.0.2.0/24");
    assertThat(saved).contains("-A POSTROUTING -o eth0 -j MASQUERADE");
    assertThat(saved).doesNotContain("-A PREROUTING -j MASQUERADE");
  }

  @Test
  void saveThenRestoreGivesTheSameTables() throws Exception {
    run("iptables", "-N", "web");
    run(
        "iptables",
        "-A",
        "web",
        "-p",
        "udp",
        "-m",
        "multiport",
        "--dports",
        "53,123",
        "-j",
        "ACCEPT");
    run("iptables", "-I", "INPUT", "-i", "eth+", "!", "-s", "10.0.0.0/8", "-j", "web");
    run("iptables", "-t", "mangle", "-A", "PREROUTING", "-j", "MARK", "--set-mark", "0x10");
    assertThat(run("iptables-save", "-c")).isZero();
    String first = out.toString().replaceAll("(?m)^#.*\n", "");
    Path file = dir.resolve("saved");
    Files.writeString(file, out.toString());
    assertThat(run("iptables", "-F")).isZero();
    assertThat(run("iptables-restore", "-c", file.toString())).as(err.toString()).isZero();
    assertThat(run("iptables-save", "-c")).isZero();
    assertThat(out.toString().replaceAll("(?m)^#.*\n", "")).isEqualTo(first);
  }
}

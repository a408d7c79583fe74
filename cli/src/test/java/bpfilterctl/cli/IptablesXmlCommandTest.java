package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.iptables.IptablesXml;
import bpfilterctl.core.module.ModuleState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * iptables-xml as a command: its options reach the converter untouched by picocli, it converts what
 * our iptables-save wrote, and it needs no module (the converter itself is compared with the real
 * iptables-xml in core's IptablesXmlAgainstLegacyTest).
 */
class IptablesXmlCommandTest {
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

  private static String converted(List<String> args) throws Exception {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    IptablesXml.run(
        args,
        IptablesXml.Input.of(new ByteArrayInputStream(new byte[0])),
        o,
        new ByteArrayOutputStream());
    return o.toString(StandardCharsets.UTF_8);
  }

  @Test
  void convertsOurSaveAsTheConverterDoesWithItsOptionsUntouched() throws Exception {
    assertThat(run("iptables", "-N", "web")).isZero();
    assertThat(run("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "80", "-j", "web")).isZero();
    assertThat(run("iptables", "-A", "INPUT", "-p", "tcp", "--dport", "80", "-j", "LOG")).isZero();
    assertThat(run("iptables-save", "-c")).isZero();
    Path saved = dir.resolve("rules.v4");
    Files.writeString(saved, out.toString());
    assertThat(run("iptables-xml", "-c", "--verbose", saved.toString()))
        .as(err.toString())
        .isZero();
    assertThat(out.toString())
        .isEqualTo(converted(List.of("-c", "--verbose", saved.toString())))
        .contains("<call >\n          <web />\n        </call>")
        .contains("<!-- Combine action from next rule -->");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void refusalsKeepIptablesXmlsWordsAndStatusAndLoadNothing() {
    assertThat(run("iptables-xml", "-h")).isEqualTo(1);
    assertThat(err.toString()).startsWith("Usage: iptables-xml [-c] [-v] [-h]\n");
    assertThat(run("iptables-xml", "a", "b")).isEqualTo(1);
    assertThat(err.toString()).isEqualTo("Unknown arguments found on commandline");
    assertThat(run("iptables-xml", dir.resolve("missing").toString())).isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo("Can't open " + dir.resolve("missing") + ": No such file or directory");
    assertThat(session.existingHost()).isEmpty();
    assertThat(session.embeddedHost().status().state()).isEqualTo(ModuleState.UNLOADED);
  }
}

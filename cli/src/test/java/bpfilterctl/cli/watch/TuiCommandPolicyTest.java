package bpfilterctl.cli.watch;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.cli.ShellWords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 16, item 7: watch's command line never runs a command that reads stdin (lanterna's). */
class TuiCommandPolicyTest {
  @ParameterizedTest
  @ValueSource(
      strings = {
        "iptables-restore",
        "iptables-restore -c",
        "iptables-restore -n -T filter",
        "iptables-restore --noflush --counters",
        "set replace -",
        "set replace --save -",
        "set replace --save -t nat -",
        "set counters -",
        "raw",
        "raw --json"
      })
  void aCommandThatWouldReadStdinIsRefusedWithTheReason(String line) {
    assertThat(TuiCommandPolicy.refusal(ShellWords.split(line)))
        .hasValueSatisfying(why -> assertThat(why).contains("stdin").contains("FILE"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "iptables-restore rules.v4",
        "iptables-restore -c -T filter rules.v4",
        "iptables-restore -h",
        "iptables-restore --help",
        "set replace blob.hex",
        "set replace --save -t nat rules.v4",
        "set counters --counters 0:1:2",
        "set counters c.bin",
        "raw calls.jsonl",
        "iptables -A INPUT -j ACCEPT",
        "status"
      })
  void aCommandWithItsInputNamedRuns(String line) {
    assertThat(TuiCommandPolicy.refusal(ShellWords.split(line))).isEmpty();
  }

  @Test
  void theOtherRefusalsStay() {
    assertThat(TuiCommandPolicy.refusal(ShellWords.split("watch"))).isPresent();
    assertThat(TuiCommandPolicy.refusal(ShellWords.split("exec iptables -L"))).isPresent();
    assertThat(TuiCommandPolicy.refusal(ShellWords.split("daemon"))).isPresent();
    assertThat(TuiCommandPolicy.refusal(ShellWords.split("status --batch -"))).isPresent();
  }
}

package bpfilterctl.cli;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.JavaCommand;
import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.json.JsonReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * `load --enforce` where bpf() is refused: the CLI runs with CAP_BPF, CAP_SYS_ADMIN, CAP_NET_ADMIN
 * and CAP_PERFMON dropped from its bounding set (so its umh lacks them too), in a namespace of its
 * own. The module must load and run unenforced, load must say why and exit 1, and status must show
 * it.
 */
@Timeout(180)
class EnforceUnavailableTest {
  @Test
  void withoutCapabilitiesLoadEnforceSaysWhyAndTheModuleRunsUnenforced(@TempDir Path dir)
      throws Exception {
    Require.root("dropping capabilities");
    Require.command("unshare", "util-linux");
    Require.command("setpriv", "util-linux");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "-n",
                "setpriv",
                "--bounding-set",
                "-bpf,-sys_admin,-net_admin,-perfmon"));
    cmd.addAll(JavaCommand.ofThisClasspath(Main.class.getName()));
    cmd.addAll(List.of("--batch", "-", "--keep-going"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("BPFILTERCTL_SOCKET", dir.resolve("none.sock").toString());
    pb.environment().put("BPFILTERCTL_STATE_DIR", dir.resolve("state").toString());
    pb.environment().put("XDG_STATE_HOME", dir.toString());
    pb.environment().remove("BPFILTERCTL_BIN");
    Process p = pb.start();
    p.getOutputStream().write("load --enforce\nstatus --json\n".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

    assertThat(p.exitValue()).as("the batch had a failure: load --enforce").isEqualTo(1);
    assertThat(out).contains("module loaded: umh pid ");
    assertThat(err)
        .contains("-:1: bpfilterctl: load: enforcement unavailable: ")
        .contains("CAP_BPF")
        .contains("(the module runs unenforced)");
    String json = out.lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
    Map<String, Object> status = JsonReader.parseObject(json);
    assertThat(status.get("state")).isEqualTo("HEALTHY");
    Map<?, ?> e = (Map<?, ?>) status.get("enforcement");
    assertThat(e.get("state")).isEqualTo("UNAVAILABLE");
    assertThat((String) e.get("reason")).contains("CAP_BPF");
    assertThat((List<?>) e.get("hooks")).isEmpty();
  }
}

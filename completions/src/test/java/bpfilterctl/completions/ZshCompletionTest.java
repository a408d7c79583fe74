package bpfilterctl.completions;

import bpfilterctl.cli.tmux.Tmux;
import bpfilterctl.core.fixtures.Require;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated _bpfilterctl, installed as a site function on $fpath and autoloaded by compinit, in
 * an interactive zsh typed at through tmux: the way an admin's zsh would use it.
 */
class ZshCompletionTest {
  static final Path SCRIPT = Path.of("target", "completions", "zsh", "_bpfilterctl");
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path home;
  private Tmux tmux;

  @BeforeEach
  void start() throws IOException {
    Require.that(Shells.has("zsh"), "zsh is not installed (apt-get install zsh)");
    Require.that(
        Tmux.available(), "tmux is not installed: the zsh completion tests type through it");
    Path functions = Files.createDirectories(home.resolve("site-functions"));
    Files.copy(SCRIPT, functions.resolve("_bpfilterctl"));
    Path bin = Shells.tool(home.resolve("bin"), home.resolve("state")).getParent();
    Files.writeString(
        home.resolve(".zshrc"),
        "fpath=("
            + functions
            + " $fpath)\npath=("
            + bin
            + " $path)\nautoload -U compinit && compinit -u\n"
            // descriptions and groups as an admin's zsh shows them
            + "zstyle ':completion:*' format '[%d]'\nzstyle ':completion:*' group-name ''\n"
            + "PS1='zsh> '\n");
    tmux = Tmux.start(160, 40, Map.of("ZDOTDIR", home.toString()), List.of("zsh"));
    tmux.await("^zsh> ?$", WAIT);
  }

  @AfterEach
  void stop() throws IOException {
    if (tmux != null) {
      tmux.close();
    }
  }

  @Test
  void theFirstTabAlreadyCompletesACommand() throws IOException {
    tmux.type("bpfilterctl sta").send("Tab");
    tmux.await("^zsh> bpfilterctl status ?$", WAIT);
    tmux.type("--j").send("Tab");
    tmux.await("^zsh> bpfilterctl status --json ?$", WAIT);
  }

  @Test
  void sourcedFromZshrcItWorksToo() throws IOException {
    // `source <(bpfilterctl completion zsh)` in a .zshrc, after compinit: no fpath involved.
    tmux.close();
    Files.writeString(
        home.resolve(".zshrc"),
        "autoload -U compinit && compinit -u\nsource "
            + SCRIPT.toAbsolutePath()
            + "\nPS1='zsh> '\n");
    tmux = Tmux.start(100, 20, Map.of("ZDOTDIR", home.toString()), List.of("zsh"));
    tmux.await("^zsh> ?$", WAIT);
    tmux.type("bpfilterctl pi").send("Tab");
    tmux.await("^zsh> bpfilterctl ping ?$", WAIT);
    tmux.type("--c").send("Tab");
    tmux.await("^zsh> bpfilterctl ping --count ?$", WAIT);
  }

  @Test
  void optionValuesAndPositionals() throws IOException {
    tmux.type("bpfilterctl --color ").send("Tab");
    tmux.await("always\\s+auto\\s+never", WAIT);
    tmux.send("C-u");
    tmux.type("bpfilterctl completion z").send("Tab");
    tmux.await("^zsh> bpfilterctl completion zsh ?$", WAIT);
  }

  @Test
  void commandsAndOptionsComeWithTheirDescriptionsUnderTheirGroups() throws IOException {
    tmux.type("bpfilterctl ").send("Tab");
    tmux.await("\\[bpfilterctl command\\]", WAIT);
    tmux.await("status +-- Show the module state, the umh's pid", WAIT);
    tmux.send("C-c");
    tmux.await("^zsh> ?$", WAIT);
    tmux.type("bpfilterctl ping -").send("Tab");
    tmux.await("--count +-c +-- ", WAIT);
  }

  @Test
  @org.junit.jupiter.api.Timeout(120)
  void iptablesArgumentsAreCompletedByTheTool() throws IOException {
    tmux.type("bpfilterctl iptables -A IN").send("Tab");
    tmux.await("^zsh> bpfilterctl iptables -A INPUT ?$", WAIT);
    tmux.type("-p tcp --d").send("Tab");
    tmux.await("--dport.* -- tcp match", WAIT);
    tmux.await("--destination .*-- destination address", WAIT);
    tmux.send("C-c");
    tmux.await("^zsh> ?$", WAIT);
    tmux.type("bpfilterctl iptables -t ").send("Tab");
    tmux.await("filter\\s+mangle\\s+nat\\s+raw\\s+security", WAIT);
  }

  @Test
  void noHelperFunctionLeaksIntoTheUsersShell() throws IOException {
    tmux.type("bpfilterctl sta").send("Tab");
    tmux.await("^zsh> bpfilterctl status ?$", WAIT);
    tmux.send("C-u");
    tmux.type(
            "print -l ${(k)functions} | grep -v '^_' | grep -ci -e complete -e picocli -e element"
                + " -e positional; print done")
        .send("Enter");
    tmux.await("^0\\s*\\ndone$", WAIT);
    tmux.type("print -l ${(k)functions[(I)_bpfilterctl*]} | wc -l; whence -w bashcompinit")
        .send("Enter");
    tmux.await("^bashcompinit: none$", WAIT);
  }
}

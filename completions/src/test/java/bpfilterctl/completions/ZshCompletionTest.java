package bpfilterctl.completions;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import bpfilterctl.cli.tmux.Tmux;
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
    assumeTrue(Shells.has("zsh"), "zsh is not installed: skipping its completion tests");
    assumeTrue(Tmux.available(), "tmux is not installed: the zsh completion tests type through it");
    Path functions = Files.createDirectories(home.resolve("site-functions"));
    Files.copy(SCRIPT, functions.resolve("_bpfilterctl"));
    Files.writeString(
        home.resolve(".zshrc"),
        "fpath=(" + functions + " $fpath)\nautoload -U compinit && compinit -u\nPS1='zsh> '\n");
    tmux = Tmux.start(100, 20, Map.of("ZDOTDIR", home.toString()), List.of("zsh"));
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
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Io;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.complete.GrammarCompleter;
import bpfilterctl.cli.complete.GrammarValues;
import bpfilterctl.cli.complete.IptablesLineCompleter;
import bpfilterctl.cli.watch.WatchUi;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.traffic.DaemonFeed;
import bpfilterctl.core.traffic.EntryRenderer;
import bpfilterctl.core.traffic.HostFeed;
import bpfilterctl.core.traffic.RecordingFeed;
import bpfilterctl.core.traffic.RecordingReader;
import bpfilterctl.core.traffic.TrafficFeed;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.Terminal;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import com.googlecode.lanterna.terminal.ansi.UnixTerminal;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "watch",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpf[HEALTHY 48211]> watch",
      "  bpfilterctl watch --replay session.jsonl",
      "",
      "Keys: Tab/Shift-Tab cycle panes; arrows, PgUp/PgDn scroll; Enter shows a frame in the",
      "detail pane; p pauses (frames are still counted); / filters (an option such as",
      "SET_REPLACE, req or reply, err, pid=N); c clears; : goes to the command line (every",
      "shell command, Tab completes, Esc goes back); q or Esc leaves.",
    },
    description = {
      "Watch the pipe traffic live, with a command line.",
      "Module state, rates and latency, every frame with its decode, the selected frame's"
          + " structure and hex, the umh log, and a command line that runs every shell command.",
    })
public final class WatchCommand implements Callable<Integer> {
  private static final int QUEUE = 1 << 16;
  private static final int HISTORY = 1000;

  @Mixin private HelpOption helpOption;

  private final Session session;
  private final EntryRenderer renderer;
  @Spec private CommandSpec spec;

  @Option(
      names = "--replay",
      paramLabel = "FILE",
      description = "Show a recording (traffic record) instead of the live traffic.")
  private Path replay;

  /**
   * @param renderer how the detail pane prints table entries
   */
  public WatchCommand(Session session, EntryRenderer renderer) {
    this.session = session;
    this.renderer = renderer;
  }

  @Override
  public Integer call() throws IOException, ModuleException {
    PrintWriter err = spec.commandLine().getErr();
    if (System.console() == null) {
      err.println("bpfilterctl: watch needs a terminal (for scripts: traffic record / show)");
      return ExitCodes.USAGE;
    }
    TrafficFeed feed;
    try {
      feed = openFeed();
    } catch (NoSuchFileException e) {
      err.println("bpfilterctl: watch: no such file: " + replay);
      return ExitCodes.USAGE;
    } catch (IllegalArgumentException e) {
      err.println("bpfilterctl: watch: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    CommandLine model = Commands.create(session, new Io(silent(), silent(), false, true));
    // TRAP: Ctrl-C is a key of the view (it stops the command line's command), not the end of the
    // process, which holds the module.
    Terminal terminal =
        new UnixTerminal(
            System.in, System.out, StandardCharsets.UTF_8, UnixLikeTerminal.CtrlCBehaviour.TRAP);
    try (feed;
        terminal;
        WatchUi ui =
            new WatchUi(
                new TerminalScreen(terminal),
                feed,
                renderer,
                replay == null,
                // the shell's completer, iptables lines included
                new GrammarCompleter(
                    model,
                    new GrammarValues(session.chains(), ExtensionRegistry.kernel()),
                    new IptablesLineCompleter(session.chains(), session.extensions())),
                (words, out, e) ->
                    Commands.create(session, new Io(out, e, false, true))
                        .execute(words.toArray(String[]::new)),
                session::cancel,
                session::leaving,
                ZoneId.systemDefault())) {
      ui.run();
    }
    return ExitCodes.OK;
  }

  private TrafficFeed openFeed() throws IOException, ModuleException {
    if (replay != null) {
      return new RecordingFeed(replay, RecordingReader.read(replay));
    }
    Optional<Path> daemon = session.daemonSocketInUse();
    if (daemon.isPresent()) {
      return DaemonFeed.open(daemon.get(), QUEUE, HISTORY);
    }
    return new HostFeed(session.embeddedHost(), QUEUE, HISTORY);
  }

  private static PrintWriter silent() {
    return new PrintWriter(Writer.nullWriter());
  }
}

package bpfilterctl.cli.shell;

import bpfilterctl.cli.Commands;
import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.GlobalFlags;
import bpfilterctl.cli.Io;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.ShellWords;
import bpfilterctl.cli.ShellWordsParser;
import bpfilterctl.cli.Version;
import bpfilterctl.cli.complete.GrammarCompleter;
import bpfilterctl.cli.complete.GrammarValues;
import bpfilterctl.cli.complete.IptablesLineCompleter;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.module.ModuleState;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedStringBuilder;
import picocli.CommandLine;

/**
 * The interactive shell: one line, one command of the same picocli model as the one-shots, run on
 * the session's embedded module host. Leaving (exit, Ctrl-D) returns to the caller, which closes
 * the session and so unloads the module.
 */
public final class Shell {
  private final Session session;
  private final boolean colour;

  public Shell(Session session, boolean colour) {
    this.session = session;
    this.colour = colour;
  }

  /**
   * $XDG_STATE_HOME/bpfilterctl/history, or $HOME/.local/state/bpfilterctl/history ($HOME as the
   * shell has it, which sudo and su may set apart from the passwd entry Java reads).
   */
  public static Path historyFile(Map<String, String> env) {
    String state = env.get("XDG_STATE_HOME");
    String home = env.get("HOME");
    Path base =
        state != null && !state.isEmpty()
            ? Path.of(state)
            : Path.of(
                home != null && !home.isEmpty() ? home : System.getProperty("user.home"),
                ".local",
                "state");
    return base.resolve("bpfilterctl").resolve("history");
  }

  public int run() throws IOException {
    Path history = historyFile(System.getenv());
    Files.createDirectories(history.getParent());
    try (Terminal terminal = TerminalBuilder.builder().name("bpfilterctl").system(true).build()) {
      PrintWriter out = terminal.writer();
      Writer errSink = new OutputStreamWriter(System.err, StandardCharsets.UTF_8);
      PrintWriter err = new PrintWriter(colour ? new ErrorColour(errSink) : errSink, true);
      Io io = new Io(out, err, colour, true);
      // One model for the completer and the highlighter; each line runs on a fresh one, as a
      // one-shot does, so that no option value leaks from one line into the next.
      CommandLine model = Commands.create(session, io);
      LineReaderBuilder builder =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .appName("bpfilterctl")
              .parser(new ShellWordsParser())
              .completer(
                  new GrammarCompleter(
                      model,
                      new GrammarValues(session.chains(), ExtensionRegistry.kernel()),
                      new IptablesLineCompleter(session.chains(), session.extensions())))
              .variable(LineReader.HISTORY_FILE, history)
              .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P > ")
              .variable(LineReader.LIST_MAX, 100)
              .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
              .option(LineReader.Option.HISTORY_IGNORE_SPACE, true);
      if (colour) {
        builder.highlighter(new CommandHighlighter(model, session.extensions()));
      } else {
        builder.option(LineReader.Option.DISABLE_HIGHLIGHTER, true);
      }
      LineReader reader = builder.build();
      // Outside readLine (which handles Ctrl-C itself), Ctrl-C cancels the running command
      // instead of ending the JVM, and with it the shell and the module.
      terminal.handle(Terminal.Signal.INT, signal -> session.cancel());
      // With a daemon, leaving unloads nothing: the module is the daemon's, shared with others.
      Optional<Path> daemon = session.daemonSocketInUse();
      if (daemon.isPresent()) {
        out.printf(
            "%s - module in the daemon at %s; history in %s%n"
                + "help lists the commands, Tab completes, Ctrl-D or exit leaves"
                + " (the daemon's module stays loaded).%n",
            Version.text(), daemon.get(), history);
      } else {
        out.printf(
            "%s - embedded module host; history in %s%n"
                + "help lists the commands, Tab completes, Ctrl-D or exit leaves and unloads.%n",
            Version.text(), history);
      }
      out.flush();
      int last = ExitCodes.OK;
      while (!session.leaving()) {
        String line;
        try {
          AttributedStringBuilder p = prompt();
          line = reader.readLine(colour ? p.toAnsi(terminal) : p.toString());
        } catch (UserInterruptException e) {
          continue; // Ctrl-C: the line is dropped, the shell stays
        } catch (EndOfFileException e) {
          break; // Ctrl-D on an empty line
        }
        last = execute(io, line);
      }
      out.println(
          daemon.isPresent()
              ? "leaving; the daemon's module stays loaded"
              : "unloading the module and leaving");
      out.flush();
      return last;
    }
  }

  private int execute(Io io, String line) {
    List<String> words;
    try {
      // The parser that let jline accept the line splits it the same way: nothing is unfinished.
      words = ShellWords.split(line);
    } catch (IllegalArgumentException e) {
      io.err().println("bpfilterctl: " + e.getMessage());
      return ExitCodes.USAGE;
    }
    if (words.isEmpty()) {
      return ExitCodes.OK;
    }
    session.clearCancel();
    int rc = GlobalFlags.execute(session, io, words.toArray(String[]::new));
    io.out().flush();
    io.err().flush();
    return rc;
  }

  /** The prompt reads the state without creating a host: a fresh shell starts nothing. */
  private AttributedStringBuilder prompt() {
    return session
        .statusIfAny()
        .map(Prompt::of)
        .orElseGet(() -> Prompt.of(ModuleState.UNLOADED, 0));
  }
}

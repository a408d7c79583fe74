package bpfilterctl.cli;

import bpfilterctl.cli.commands.AnswerUndecodable;
import bpfilterctl.cli.commands.CompleteCommand;
import bpfilterctl.cli.commands.CompletionCommand;
import bpfilterctl.cli.commands.CountersCommand;
import bpfilterctl.cli.commands.DaemonCommand;
import bpfilterctl.cli.commands.EnforceCommand;
import bpfilterctl.cli.commands.ExecCommand;
import bpfilterctl.cli.commands.ExitCommand;
import bpfilterctl.cli.commands.GetCommand;
import bpfilterctl.cli.commands.GetEntriesCommand;
import bpfilterctl.cli.commands.GetInfoCommand;
import bpfilterctl.cli.commands.GetRevisionCommand;
import bpfilterctl.cli.commands.HookCommand;
import bpfilterctl.cli.commands.HookEnvCommand;
import bpfilterctl.cli.commands.IptablesCommand;
import bpfilterctl.cli.commands.IptablesRestoreCommand;
import bpfilterctl.cli.commands.IptablesSaveCommand;
import bpfilterctl.cli.commands.IptablesXmlCommand;
import bpfilterctl.cli.commands.LoadCommand;
import bpfilterctl.cli.commands.LogCommand;
import bpfilterctl.cli.commands.PingCommand;
import bpfilterctl.cli.commands.RawCommand;
import bpfilterctl.cli.commands.RevisionMatchCommand;
import bpfilterctl.cli.commands.RevisionTargetCommand;
import bpfilterctl.cli.commands.SetCommand;
import bpfilterctl.cli.commands.SetCountersCommand;
import bpfilterctl.cli.commands.SetReplaceCommand;
import bpfilterctl.cli.commands.SockoptRefused;
import bpfilterctl.cli.commands.StatusCommand;
import bpfilterctl.cli.commands.TrafficCommand;
import bpfilterctl.cli.commands.TrafficRecordCommand;
import bpfilterctl.cli.commands.TrafficReplayCommand;
import bpfilterctl.cli.commands.TrafficShowCommand;
import bpfilterctl.cli.commands.TrafficStopCommand;
import bpfilterctl.cli.commands.UnloadCommand;
import bpfilterctl.cli.commands.WatchCommand;
import bpfilterctl.core.iptables.SaveRenderer;
import bpfilterctl.core.json.JsonWriter;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.traffic.EntryRenderer;
import bpfilterctl.core.traffic.StructuralEntryRenderer;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.HelpCommand;

/**
 * Builds the picocli command tree for one session: the one model behind every front-end (one-shot,
 * batch, shell, completion scripts, man pages). Building it starts nothing.
 */
public final class Commands {
  private Commands() {}

  public static CommandLine create(Session session, PrintWriter out, PrintWriter err) {
    return create(session, new Io(out, err, false, false));
  }

  /** The whole tree: help, completion, man pages, the shell and watch need every command. */
  public static CommandLine create(Session session, Io io) {
    return withAll(root(session, io), session, io);
  }

  /**
   * The tree a command line needs: the root and one of iptables' front-ends when that is the
   * command (what scripts run by the hundred, one-shot after one-shot, in the daemon), else the
   * whole tree. Building all 40 commands' models took about 3 ms of a warm daemon's time for each.
   */
  public static CommandLine forLine(Session session, Io io, String[] argv) {
    CommandLine cl = root(session, io);
    String command = GlobalFlags.commandWord(cl.getCommandSpec(), argv);
    if (!FRONT_ENDS.contains(command)) {
      return withAll(cl, session, io);
    }
    cl.addSubcommand(frontEnd(command, session));
    return configure(cl, io);
  }

  private static CommandLine withAll(CommandLine cl, Session session, Io io) {
    // How watch and traffic show print table entries: as iptables-save does, else (no layout, a
    // malformed blob) structurally. The save printer is made per rendering, from the session's
    // extensions (built on first use), so a --version builds none of it.
    EntryRenderer structural = new StructuralEntryRenderer();
    EntryRenderer entries =
        (table, layout, list) ->
            new SaveRenderer(session.extensions(), session.lookups(), structural)
                .render(table, layout, list);
    cl.addSubcommand(new LoadCommand(session));
    cl.addSubcommand(new UnloadCommand(session));
    cl.addSubcommand(new EnforceCommand(session));
    cl.addSubcommand(new StatusCommand(session));
    cl.addSubcommand(new PingCommand(session));
    cl.addSubcommand(new LogCommand(session));
    cl.addSubcommand(
        new CommandLine(new GetCommand())
            .addSubcommand(new GetInfoCommand(session))
            .addSubcommand(new GetEntriesCommand(session))
            .addSubcommand(
                new CommandLine(new GetRevisionCommand())
                    .addSubcommand(new RevisionMatchCommand(session))
                    .addSubcommand(new RevisionTargetCommand(session))));
    cl.addSubcommand(
        new CommandLine(new SetCommand())
            .addSubcommand(new SetReplaceCommand(session))
            .addSubcommand(new SetCountersCommand(session)));
    cl.addSubcommand(new RawCommand(session));
    for (String name : FRONT_ENDS) {
      cl.addSubcommand(frontEnd(name, session));
    }
    cl.addSubcommand(new WatchCommand(session, entries));
    cl.addSubcommand(new CountersCommand(session, io.colour()));
    cl.addSubcommand(
        new CommandLine(new TrafficCommand())
            .addSubcommand(new TrafficRecordCommand(session, io.inShell()))
            .addSubcommand(new TrafficStopCommand(session))
            .addSubcommand(new TrafficShowCommand(entries))
            .addSubcommand(new TrafficReplayCommand(session)));
    cl.addSubcommand(new DaemonCommand(session));
    cl.addSubcommand(new ExecCommand(session));
    cl.addSubcommand(new CommandLine(new HookCommand()).addSubcommand(new HookEnvCommand(session)));
    cl.addSubcommand(new CompletionCommand());
    cl.addSubcommand(new HelpCommand());
    cl.addSubcommand(new ExitCommand(session));
    cl.addSubcommand(new CompleteCommand(session));
    // exec's COMMAND and everything after it are the command's, options included
    cl.getSubcommands().get("exec").setStopAtPositional(true);
    cl.getSubcommands().get("exec").setUnmatchedOptionsArePositionalParams(true);
    return configure(cl, io);
  }

  /** iptables' own programs, whose options (-A, --dport, -h, ...) are their arguments. */
  private static final List<String> FRONT_ENDS =
      List.of("iptables", "iptables-save", "iptables-restore", "iptables-xml");

  private static Object frontEnd(String name, Session session) {
    return switch (name) {
      case "iptables" -> new IptablesCommand(session);
      case "iptables-save" -> new IptablesSaveCommand(session);
      case "iptables-restore" -> new IptablesRestoreCommand(session);
      case "iptables-xml" -> new IptablesXmlCommand(session);
      default -> throw new IllegalArgumentException("not a front-end: " + name);
    };
  }

  private static CommandLine root(Session session, Io io) {
    return new CommandLine(new RootCommand(session, io));
  }

  private static CommandLine configure(CommandLine cl, Io io) {
    for (Map.Entry<String, CommandLine> sub : cl.getSubcommands().entrySet()) {
      if (FRONT_ENDS.contains(sub.getKey()) || sub.getKey().equals("__complete")) {
        // iptables' own options are its arguments, not picocli's; and "--" is a word of theirs
        // too (iptables --, or a word being typed)
        sub.getValue().setUnmatchedOptionsArePositionalParams(true);
        sub.getValue().setUnmatchedOptionsAllowedAsOptionParameters(true);
        sub.getValue().setEndOfOptionsDelimiter("\0--");
      }
    }
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(io.out());
    cl.setErr(io.err());
    cl.setColorScheme(Help.defaultColorScheme(io.colour() ? Help.Ansi.ON : Help.Ansi.OFF));
    cl.setExecutionExceptionHandler(Commands::handle);
    cl.setParameterExceptionHandler(new UsageErrors());
    return cl;
  }

  /**
   * Failures are one line on stderr and a documented exit status, never a stack trace (unless
   * BPFILTERCTL_DEBUG is set, for a bug report). Under --json the error is also an object on
   * stdout, as a refusal's is.
   */
  private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
    if (e instanceof ModuleException me) {
      if (leaf(parsed).hasMatchedOption("--json")) {
        cl.getOut().println(moduleErrorJson(me));
      }
      cl.getErr().println("bpfilterctl: " + me.getMessage());
      return ExitCodes.of(me);
    }
    if (e instanceof SockoptRefused r) {
      // A script that asked for JSON reads the refusal from stdout as well.
      if (leaf(parsed).hasMatchedOption("--json")) {
        cl.getOut().println(r.toJson());
      }
      cl.getErr().println("bpfilterctl: " + r.getMessage());
      return ExitCodes.FAILURE;
    }
    if (e instanceof AnswerUndecodable u) {
      cl.getErr().println("bpfilterctl: " + u.getMessage());
      return ExitCodes.FAILURE;
    }
    if (e instanceof java.nio.file.NoSuchFileException n) {
      cl.getErr().println("bpfilterctl: " + n.getFile() + ": No such file or directory");
      return ExitCodes.FAILURE;
    }
    if (e instanceof java.nio.file.AccessDeniedException a) {
      cl.getErr().println("bpfilterctl: " + a.getFile() + ": Permission denied");
      return ExitCodes.FAILURE;
    }
    if (e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException) {
      cl.getErr().println("bpfilterctl: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      cl.getErr().println("bpfilterctl: interrupted");
      return ExitCodes.FAILURE;
    }
    cl.getErr()
        .println(
            "bpfilterctl: internal error: "
                + e
                + " (a bug: please report it with BPFILTERCTL_DEBUG=1's stack trace)");
    if (System.getenv("BPFILTERCTL_DEBUG") != null) {
      e.printStackTrace(cl.getErr());
    }
    return ExitCodes.FAILURE;
  }

  /** {@code {"error": {"option": null, "errno", "code", "kind", "message"}}}. */
  static String moduleErrorJson(ModuleException e) {
    return new JsonWriter()
        .beginObject()
        .name("error")
        .beginObject()
        .name("option")
        .nullValue()
        .field("errno", e.kind().errno().name())
        .field("code", e.kind().errno().code())
        .field("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT))
        .field("message", e.getMessage())
        .endObject()
        .endObject()
        .toString();
  }

  private static CommandLine.ParseResult leaf(CommandLine.ParseResult parsed) {
    CommandLine.ParseResult p = parsed;
    while (p.hasSubcommand()) {
      p = p.subcommand();
    }
    return p;
  }
}

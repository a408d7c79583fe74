package bpfilterctl.cli.commands;

import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.cli.hook.HookEnvironment;
import bpfilterctl.cli.hook.HookLibrary;
import bpfilterctl.cli.hook.ProcessReplacer;
import bpfilterctl.core.daemon.DaemonPaths;
import bpfilterctl.core.module.ModuleException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "exec",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl exec iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT",
      "  bpfilterctl exec -- iptables-legacy-restore < rules.v4",
      "  bpfilterctl exec ufw enable",
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "N:COMMAND's own (128+N when signal N ended it)",
      "1:the hook library is missing, or no daemon can be had",
      "4:the daemon's socket may not be opened",
      "126:COMMAND cannot be run",
      "127:COMMAND is not found",
    },
    description = {
      "Run a program with the sockopt hook preloaded.",
      "Unmodified iptables programs (iptables-legacy and its -save and -restore, ufw, ferm,"
          + " fail2ban) then reach this module through the daemon instead of the kernel's"
          + " ip_tables. A daemon is started first when none answers. See `hook env` for a whole"
          + " shell."
    })
public final class ExecCommand implements Callable<Integer> {
  @Mixin private HelpOption helpOption;
  @Spec private CommandSpec spec;
  private final Session session;

  @Parameters(index = "0", paramLabel = "COMMAND", description = "The program to run.")
  private String command;

  @Parameters(
      index = "1..*",
      arity = "0..*",
      paramLabel = "ARG",
      description = "Its arguments, as they are.")
  private List<String> args = new ArrayList<>();

  public ExecCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws IOException, InterruptedException, ModuleException {
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> env = System.getenv();
    Optional<Path> lib = HookLibrary.find(env);
    if (lib.isEmpty()) {
      err.println("bpfilterctl: exec: " + HookLibrary.notFound(env));
      return ExitCodes.FAILURE;
    }
    Optional<DaemonPaths> paths = session.paths();
    if (paths.isEmpty()) {
      err.println("bpfilterctl: exec: this session has no daemon socket for the hook to reach");
      return ExitCodes.FAILURE;
    }
    Optional<String> noDaemon = ensureDaemon();
    if (noDaemon.isPresent()) {
      err.println("bpfilterctl: exec: " + noDaemon.get());
      return ExitCodes.FAILURE;
    }
    Map<String, String> childEnv = new HashMap<>(env);
    childEnv.putAll(
        new HookEnvironment(lib.get(), paths.get(), env.get("BPFILTERCTL_BIN")).variables(env));
    List<String> argv = new ArrayList<>();
    argv.add(command);
    argv.addAll(args);
    spec.commandLine().getOut().flush();
    err.flush();
    if (session.isOneShot()) {
      // Become COMMAND: its exit status, its signals and its terminal are the caller's own.
      session.close();
      return ProcessReplacer.replaceWith(argv, childEnv, err);
    }
    return runChild(argv, childEnv, err);
  }

  /**
   * Empty when a daemon answers (started here if need be, which the session says on stderr); else
   * why none can be used. A socket this user may not open fails as every command does (exit 4).
   */
  private Optional<String> ensureDaemon()
      throws IOException, InterruptedException, ModuleException {
    if (session.daemon().isPresent()) {
      return Optional.empty();
    }
    if (!session.isOneShot()) {
      return Optional.of(
          "this shell hosts its module in its own process, where other programs cannot reach it;"
              + " start a daemon (bpfilterctl daemon --detach) and a new shell, or run exec as a"
              + " one-shot");
    }
    try {
      session.ensureDaemonForOneShot();
    } catch (IOException e) {
      return Optional.of("no daemon answers and none could be started: " + e.getMessage());
    }
    if (session.daemon().isPresent()) {
      return Optional.empty();
    }
    session.module().status(); // a refused socket says so, with its fix
    return Optional.of("no daemon answers on " + session.paths().orElseThrow().socket());
  }

  private static int runChild(List<String> argv, Map<String, String> env, PrintWriter err)
      throws InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
    pb.environment().clear();
    pb.environment().putAll(env);
    try {
      return pb.start().waitFor();
    } catch (IOException e) {
      Optional<Path> found = ProcessReplacer.onPath(argv.get(0), env.get("PATH"));
      err.println(
          "bpfilterctl: exec: "
              + argv.get(0)
              + (found.isEmpty() ? ": command not found" : ": cannot run it: " + e.getMessage()));
      return found.isEmpty() ? ProcessReplacer.NOT_FOUND : ProcessReplacer.NOT_EXECUTABLE;
    }
  }
}

package bpfilterctl.cli.commands;

import bpfilterctl.cli.ClientCommandRunner;
import bpfilterctl.cli.DaemonLauncher;
import bpfilterctl.cli.ExitCodes;
import bpfilterctl.cli.Session;
import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.daemon.DaemonLimits;
import bpfilterctl.core.daemon.DaemonPaths;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.daemon.IdleExit;
import bpfilterctl.core.module.LogLine;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleStatus;
import bpfilterctl.core.persist.OwnedDir;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import jnr.posix.POSIXFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "daemon",
    footerHeading = "%nExamples:%n",
    footer = {
      "  bpfilterctl daemon --detach            # in the background; returns once it answers",
      "  bpfilterctl daemon --enforce           # packets obey the filter table",
      "  bpfilterctl daemon status              # does one answer, and how is its module",
      "  bpfilterctl daemon stop",
      "  systemctl start bpfilterctl            # docs/systemd.md",
    },
    description = {
      "Host the module on a unix socket so that every shell and script shares it.",
      "`daemon status` says whether one answers; `daemon stop` asks it to unload and exit.",
      "A one-shot that needs the module and finds no daemon starts one with --exit-when-idle."
    })
public final class DaemonCommand implements Callable<Integer> {
  /** The idle time of a daemon a one-shot starts, unless BPFILTERCTL_DAEMON_IDLE says. */
  public static final Duration ONE_SHOT_IDLE = Duration.ofMinutes(5);

  @Mixin private HelpOption helpOption;

  private final Session session;
  @Spec private CommandSpec spec;

  @Parameters(
      arity = "0..1",
      paramLabel = "ACTION",
      completionCandidates = Actions.class,
      description = "status: whether a daemon answers; stop: stop it.")
  private String action;

  /** The actions, for completion. */
  static final class Actions extends ArrayList<String> {
    private static final long serialVersionUID = 1L;

    Actions() {
      super(List.of("status", "stop"));
    }
  }

  @Option(
      names = "--exit-when-idle",
      paramLabel = "SECONDS",
      description =
          "Exit once the module has been unloaded, with no request, for SECONDS"
              + " (default: never; tables are saved, so none is lost).")
  private Long exitWhenIdle;

  @Option(
      names = "--socket",
      paramLabel = "PATH",
      description = "The socket (default: see ENVIRONMENT).")
  private Path socket;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description = "Where the daemon keeps its state.")
  private Path stateDir;

  @Option(names = "--detach", description = "Run in the background; return once it answers.")
  private boolean detach;

  @Option(
      names = "--admin-gid",
      paramLabel = "GID",
      description = "A group allowed to set, load, unload and stop.")
  private Integer adminGid;

  @Option(
      names = "--read-gid",
      paramLabel = "GID",
      description = "A group allowed to get, status, log and ping.")
  private Integer readGid;

  @Option(
      names = "--enforce",
      description =
          "Enforce the filter table with BPF programs in the daemon's network namespace whenever"
              + " the module is loaded (docs/enforcement.md); `enforce off` ends it. Stopping the"
              + " daemon leaves the last table enforced and pinned; only unload or enforce off"
              + " removes it.")
  private boolean enforce;

  public DaemonCommand(Session session) {
    this.session = session;
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    DaemonPaths defaults = DaemonPaths.ownOfThisProcess();
    Path sock = socket != null ? socket : defaults.socket();
    Path state = stateDir != null ? stateDir : defaults.stateDir();
    if ("stop".equals(action)) {
      try (DaemonClient c = DaemonClient.connect(sock)) {
        c.stopDaemon();
        out.println("daemon on " + sock + " stopped");
        return ExitCodes.OK;
      } catch (IOException e) {
        spec.commandLine().getErr().println("bpfilterctl: no daemon answers on " + sock);
        return ExitCodes.FAILURE;
      }
    }
    if ("status".equals(action)) {
      return status(sock, out);
    }
    if (action != null) {
      spec.commandLine()
          .getErr()
          .println("bpfilterctl: daemon: unknown action '" + action + "' (status or stop)");
      return ExitCodes.USAGE;
    }
    if (exitWhenIdle != null && exitWhenIdle <= 0) {
      spec.commandLine().getErr().println("bpfilterctl: daemon: --exit-when-idle must be > 0");
      return ExitCodes.USAGE;
    }
    if (detach) {
      return detach(sock, state, out);
    }
    // What the daemon creates (state, socket before its chmod) is its own alone.
    POSIXFactory.getNativePOSIX().umask(077);
    int uid = OwnedDir.processUid();
    try {
      OwnedDir.prepare(state, "rwx------", uid);
    } catch (IOException e) {
      spec.commandLine().getErr().println("bpfilterctl: daemon: state dir: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    // Admin rights go to root and the uid the daemon runs as, never to whoever owns a directory.
    AccessPolicy policy =
        new AccessPolicy(
            uid,
            adminGid == null ? OptionalInt.empty() : OptionalInt.of(adminGid),
            readGid == null ? OptionalInt.empty() : OptionalInt.of(readGid));
    ModuleHost host =
        new ModuleHost(session.config().withStateDir(Optional.of(state)).withEnforce(enforce));
    ClientCommandRunner runner = new ClientCommandRunner();
    DaemonServer server =
        new DaemonServer(host, sock, policy, DaemonLimits.defaults(), Optional.of(runner));
    // Run on stop, on a start that fails, and on SIGTERM (systemd's stop), where the end of this
    // method is never reached: the socket goes with us.
    Runnable shutdown =
        () -> {
          try {
            server.close();
          } catch (IOException e) {
            // exiting anyway
          }
          host.close();
        };
    try {
      host.claimState();
      server.start();
    } catch (ModuleException | IOException e) {
      shutdown.run();
      spec.commandLine().getErr().println("bpfilterctl: daemon: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
    Thread warm = new Thread(runner::warmUp, "daemon-warm-up");
    warm.setDaemon(true);
    warm.start();
    out.println("daemon listening on " + sock + " (pid " + ProcessHandle.current().pid() + ")");
    out.flush();
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown));
    if (exitWhenIdle != null) {
      watchIdle(new IdleExit(Duration.ofSeconds(exitWhenIdle)), host, server);
    }
    server.awaitStop();
    shutdown.run();
    return ExitCodes.OK;
  }

  private int status(Path sock, PrintWriter out) {
    try (DaemonClient c = DaemonClient.connect(sock)) {
      ModuleStatus st = c.status();
      out.printf(
          "daemon answers on %s: module %s%s%n",
          sock, st.state(), st.umhPid() > 0 ? ", umh pid " + st.umhPid() : "");
      return ExitCodes.OK;
    } catch (IOException | ModuleException e) {
      spec.commandLine().getErr().println("bpfilterctl: no daemon answers on " + sock);
      return ExitCodes.FAILURE;
    }
  }

  /** Ends the server when the idle policy says so; checks once a second. */
  private static void watchIdle(IdleExit idle, ModuleHost host, DaemonServer server) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (!idle.due(host.status(), System.currentTimeMillis())) {
                  Thread.sleep(Math.min(1000, idle.after().toMillis() / 4 + 1));
                }
                host.log()
                    .add(
                        (int) ProcessHandle.current().pid(),
                        LogLine.Source.HOST,
                        "daemon: module unloaded and idle for "
                            + idle.after().toSeconds()
                            + " s: exiting");
                server.close();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (IOException e) {
                // closing a server that is going away anyway
              }
            },
            "daemon-idle");
    t.setDaemon(true);
    t.start();
  }

  private int detach(Path sock, Path state, PrintWriter out)
      throws IOException, InterruptedException {
    List<String> extra = new ArrayList<>();
    if (adminGid != null) {
      extra.addAll(List.of("--admin-gid", adminGid.toString()));
    }
    if (readGid != null) {
      extra.addAll(List.of("--read-gid", readGid.toString()));
    }
    if (enforce) {
      extra.add("--enforce");
    }
    try {
      DaemonLauncher.Started d = DaemonLauncher.launch(sock, state, extra);
      out.printf("daemon started on %s (pid %d, log %s)%n", sock, d.pid(), d.log());
      return ExitCodes.OK;
    } catch (IOException e) {
      spec.commandLine().getErr().println("bpfilterctl: " + e.getMessage());
      return ExitCodes.FAILURE;
    }
  }
}

package bpfilterctl.cli;

import bpfilterctl.cli.commands.DaemonCommand;
import bpfilterctl.cli.complete.ChainSource;
import bpfilterctl.core.daemon.CallerIo;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.daemon.DaemonPaths;
import bpfilterctl.core.iptables.EntriesCache;
import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.RuleTable;
import bpfilterctl.core.iptables.TableIo;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.SystemLookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.ModuleState;
import bpfilterctl.core.module.ModuleStatus;
import bpfilterctl.core.module.UmhImage;
import bpfilterctl.core.uapi.Errno;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the commands of one bpfilterctl process share: the module they talk to. That is the daemon
 * when one answers on the socket, else a host embedded in this process, created on first use and
 * unloaded when the process is done. Creating a session does nothing else: the command model (help,
 * man pages, completion scripts) is built over one without side effects.
 */
public final class Session implements AutoCloseable {
  private final Supplier<HostConfig> configSource;
  private final ChainSource chains;
  private XtExtensions extensions;
  private Lookups lookups;

  /** Where a daemon's run takes its name databases from (null: read them here). */
  private SystemLookups lookupSource;

  private final Optional<Path> daemonSocket;
  private Optional<DaemonPaths> paths = Optional.empty();
  private boolean oneShot;
  private PrintWriter notices;
  private long daemonIdleSeconds = idleSeconds(System.getenv("BPFILTERCTL_DAEMON_IDLE"));
  private HostConfig config;
  private ModuleHost host;
  private DaemonClient client;
  private SocketDenied denied;
  private boolean daemonTried;
  private boolean leaving;
  private volatile boolean cancelled;
  private final Map<String, AutoCloseable> jobs = new LinkedHashMap<>();
  private CallerIo caller = CallerIo.thisProcess();
  private ModuleAccess given;
  private TableIo.EntryDecoder decoder = TableIo.EntryDecoder.FRESH;

  public Session(HostConfig config) {
    this(() -> config, ChainSource.BUILTIN);
  }

  /**
   * @param configSource called once, on first use: the embedded image hashes the umh's classpath,
   *     which {@code --version} or {@code --help} must not pay for
   * @param chains the chain names that completion offers; the iptables front-end supplies the live
   *     ones
   */
  public Session(Supplier<HostConfig> configSource, ChainSource chains) {
    this(configSource, chains, Optional.empty());
  }

  private Session(
      Supplier<HostConfig> configSource, ChainSource chains, Optional<Path> daemonSocket) {
    this.configSource = configSource;
    this.chains = chains;
    this.daemonSocket = daemonSocket;
  }

  /** Always embedded, never a daemon: for tests and private modules. */
  public static Session embedded() {
    return new Session(
        () -> HostConfig.defaults(UmhImage.embedded(List.of())), ChainSource.BUILTIN);
  }

  /** The daemon on {@code socket} when one answers there, else embedded (nothing persists). */
  public static Session preferringDaemon(Path socket) {
    return new Session(
        () -> HostConfig.defaults(UmhImage.embedded(List.of())),
        ChainSource.BUILTIN,
        Optional.of(socket));
  }

  /**
   * The daemon on {@code paths.socket()} when one answers there, else a host embedded in this
   * process that keeps its tables in {@code paths.stateDir()}.
   */
  public static Session preferringDaemon(DaemonPaths paths) {
    Session s =
        new Session(
            () ->
                HostConfig.defaults(UmhImage.embedded(List.of()))
                    .withStateDir(Optional.of(paths.stateDir())),
            ChainSource.BUILTIN,
            Optional.of(paths.socket()));
    s.paths = Optional.of(paths);
    return s;
  }

  /**
   * A command the daemon runs for a client: {@code module} is the daemon's, with the client's
   * rights; stdin, files and the xtables lock are the client's ({@code caller}); {@code extensions}
   * are the daemon's, built once for all its runs, and so are {@code tables}, the entries its runs
   * last read, and {@code lookups}, the name databases as the daemon last read them.
   */
  public static Session forCaller(
      ModuleAccess module,
      CallerIo caller,
      XtExtensions extensions,
      EntriesCache tables,
      SystemLookups lookups) {
    Session s = embedded();
    s.given = module;
    s.caller = caller;
    s.extensions = extensions;
    s.decoder = tables;
    s.lookupSource = lookups;
    return s;
  }

  /** Whose stdin, files and xtables lock the commands use: this process's, or a daemon's client. */
  public CallerIo caller() {
    return caller;
  }

  /** Where this session's daemon listens and keeps its state; empty for private sessions. */
  public Optional<DaemonPaths> paths() {
    return paths;
  }

  /** True in a one-shot process (not the shell, not a batch). */
  public boolean isOneShot() {
    return oneShot;
  }

  /** Marks a one-shot process: a module loaded here must outlive it, so it goes to a daemon. */
  public Session oneShot(boolean isOneShot) {
    this.oneShot = isOneShot;
    return this;
  }

  /** Where the session says what it did that nobody asked for (a daemon started): stderr. */
  public Session notices(PrintWriter where) {
    this.notices = where;
    return this;
  }

  /**
   * In a one-shot process with no daemon answering, starts one detached (a module embedded in a
   * process about to exit would die with it). Returns what was started, if anything.
   */
  public synchronized Optional<DaemonLauncher.Started> ensureDaemonForOneShot()
      throws IOException, InterruptedException {
    if (!oneShot || paths.isEmpty() || daemon().isPresent() || denied != null) {
      return Optional.empty();
    }
    long idle = daemonIdleSeconds;
    DaemonLauncher.Started d =
        DaemonLauncher.launch(
            paths.get().socket(),
            paths.get().stateDir(),
            List.of("--exit-when-idle", Long.toString(idle)));
    daemonTried = false;
    if (notices != null) {
      notices.printf(
          "bpfilterctl: started a daemon (pid %d) on %s to keep the module after this command;"
              + " it exits %s after the module is unloaded and idle ('bpfilterctl daemon stop'"
              + " ends it now; log %s)%n",
          d.pid(), paths.get().socket(), DaemonLauncher.humanSeconds(idle), d.log());
      notices.flush();
    }
    return Optional.of(d);
  }

  /** How long a daemon this one-shot starts waits, unloaded and idle, before it exits. */
  public Session daemonIdle(long seconds) {
    this.daemonIdleSeconds = seconds;
    return this;
  }

  /** BPFILTERCTL_DAEMON_IDLE (seconds, > 0), else five minutes. */
  static long idleSeconds(String env) {
    try {
      long v = env == null ? 0 : Long.parseLong(env.strip());
      return v > 0 ? v : DaemonCommand.ONE_SHOT_IDLE.toSeconds();
    } catch (NumberFormatException e) {
      return DaemonCommand.ONE_SHOT_IDLE.toSeconds();
    }
  }

  public synchronized HostConfig config() {
    if (config == null) {
      config = configSource.get();
    }
    return config;
  }

  /** The module in use: the daemon's if one answers, else the embedded one. */
  public synchronized ModuleAccess module() {
    if (given != null) {
      return given;
    }
    Optional<DaemonClient> d = daemon();
    if (d.isEmpty() && denied != null) {
      return denied;
    }
    return d.isPresent() ? d.get() : embeddedHost();
  }

  /**
   * The module, loaded on first use as the kernel loads ip_tables when iptables first asks for it
   * (a one-shot process hands it to a daemon first, as {@code load} does). For the iptables
   * front-end.
   */
  public synchronized ModuleAccess loadedModule() throws ModuleException {
    ModuleAccess m = module();
    if (m.state() == ModuleState.UNLOADED) {
      try {
        if (ensureDaemonForOneShot().isPresent()) {
          m = module();
        }
      } catch (IOException e) {
        throw new ModuleException(ModuleException.Kind.START_FAILED, cannotStart(e));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ModuleException(ModuleException.Kind.START_FAILED, "interrupted");
      }
      if (m.state() == ModuleState.UNLOADED) {
        m.load();
      }
    }
    return m;
  }

  /**
   * Why a one-shot could not start its daemon, with the path at fault and what to set instead (a
   * user without a home directory has nowhere for one: nobody's is /nonexistent).
   */
  private String cannotStart(IOException e) {
    String why = e.getMessage();
    if (e instanceof java.nio.file.NoSuchFileException n) {
      why = n.getFile() + ": No such file or directory";
    } else if (e instanceof java.nio.file.AccessDeniedException a) {
      why = a.getFile() + ": Permission denied";
    }
    String where = paths.map(p -> " on " + p.socket()).orElse("");
    return "no daemon answers"
        + where
        + ", and none can be started for this command ("
        + why
        + "): set BPFILTERCTL_SOCKET to a daemon you may use, or XDG_RUNTIME_DIR and"
        + " XDG_STATE_HOME to directories of yours";
  }

  /**
   * The iptables front-end over {@link #loadedModule()}, with every extension we know. The module
   * is loaded (and a one-shot's daemon started) at the front-end's first socket option call, not
   * before: {@code iptables -h} or a refused command line starts nothing. A module that refuses
   * this user answers every call EPERM, as the kernel answers a user who is not root (so iptables'
   * own words and status follow); the notices say once which socket refused and why.
   */
  public Iptables iptables() {
    ModuleSockopts.Channel firstUse =
        new ModuleSockopts.Channel() {
          private ModuleAccess loaded;
          private boolean told;

          @Override
          public MboxReply call(MboxRequest request) throws ModuleException {
            try {
              if (loaded == null) {
                loaded = loadedModule();
              }
              return loaded.call(request);
            } catch (ModuleException e) {
              if (e.kind() != ModuleException.Kind.PERMISSION_DENIED) {
                throw e;
              }
              if (!told && notices != null) {
                told = true;
                notices.println("bpfilterctl: " + e.getMessage());
                notices.flush();
              }
              return MboxReply.error(Errno.EPERM);
            }
          }
        };
    return new Iptables(
        new ModuleSockopts(firstUse, (int) ProcessHandle.current().pid()),
        extensions(),
        lookups(),
        caller.xtablesLock(),
        decoder);
  }

  /** Every client extension, built on first use (a one-shot --version never pays for it). */
  public synchronized XtExtensions extensions() {
    if (extensions == null) {
      extensions = XtExtensions.standard();
    }
    return extensions;
  }

  /** /etc/services, /etc/protocols and the like, read on first use. */
  public synchronized Lookups lookups() {
    if (lookups == null) {
      lookups = lookupSource == null ? Lookups.system() : lookupSource.current();
    }
    return lookups;
  }

  /** The daemon client, when a daemon answers on the socket (asked once per session). */
  public synchronized Optional<DaemonClient> daemon() {
    if (!daemonTried && daemonSocket.isPresent()) {
      daemonTried = true;
      try {
        client = DaemonClient.connect(daemonSocket.get());
      } catch (IOException e) {
        client = null; // nobody answers: embedded it is, unless we may not ask
        denied = SocketDenied.of(daemonSocket.get(), e).orElse(null);
      } catch (ModuleException e) {
        client = null;
      }
    }
    return Optional.ofNullable(client);
  }

  /**
   * A second connection to the daemon this session uses, if it uses one: a subscription takes its
   * connection over, and the session's own must stay free for calls.
   */
  public synchronized Optional<DaemonClient> newDaemonConnection()
      throws IOException, ModuleException {
    if (daemon().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(DaemonClient.connect(daemonSocket.orElseThrow()));
  }

  /** The host embedded in this process (also what the traffic tap and log of watch read). */
  public synchronized ModuleHost embeddedHost() {
    if (host == null) {
      host = new ModuleHost(config());
    }
    return host;
  }

  /** The daemon's socket when the session talks to a daemon: where a subscription connects. */
  public synchronized Optional<Path> daemonSocketInUse() {
    return daemon().isPresent() ? daemonSocket : Optional.empty();
  }

  /**
   * Keeps {@code job}, something running in the background of this session (a shell's traffic
   * recording), until {@link #removeJob} or the session's close. False, and nothing kept, when a
   * job of that name runs already.
   */
  public synchronized boolean addJob(String name, AutoCloseable job) {
    return jobs.putIfAbsent(name, job) == null;
  }

  /** The job of that name, no longer kept; the caller closes it. */
  public synchronized Optional<AutoCloseable> removeJob(String name) {
    return Optional.ofNullable(jobs.remove(name));
  }

  /** The embedded host if one was created, without creating it. */
  public synchronized Optional<ModuleHost> existingHost() {
    return Optional.ofNullable(host);
  }

  /**
   * The module's status for a prompt, without starting anything: the daemon's when one answers,
   * else the embedded host's if it exists.
   */
  public synchronized Optional<ModuleStatus> statusIfAny() {
    if (given != null) {
      try {
        return Optional.of(given.status());
      } catch (ModuleException e) {
        return Optional.empty();
      }
    }
    Optional<DaemonClient> d = daemon();
    if (d.isPresent()) {
      try {
        return Optional.of(d.get().status());
      } catch (ModuleException e) {
        return Optional.empty();
      }
    }
    return existingHost().map(ModuleHost::status);
  }

  /**
   * The chains completion offers: the live table's (user chains too) when the module is healthy,
   * else the configured source (the built-in chains). Never loads the module.
   */
  public ChainSource chains() {
    return table -> liveChains(table).orElseGet(() -> chains.chains(table));
  }

  private synchronized Optional<List<String>> liveChains(String table) {
    Optional<ModuleStatus> st = statusIfAny();
    if (st.isEmpty() || st.get().state() != ModuleState.HEALTHY) {
      return Optional.empty();
    }
    try {
      RuleTable t = TableIo.init(ModuleSockopts.of(module()), table);
      return Optional.of(t.chains().stream().map(RuleTable.Chain::name).toList());
    } catch (RuleTable.TableError | ModuleException e) {
      return Optional.empty();
    }
  }

  /** Asks the shell or the batch that runs this session to stop after the current command. */
  public synchronized void leave() {
    leaving = true;
  }

  public synchronized boolean leaving() {
    return leaving;
  }

  /** Ctrl-C in the shell while a command runs: long-running commands check and stop early. */
  public void cancel() {
    cancelled = true;
  }

  public boolean cancelled() {
    return cancelled;
  }

  /** Before each command of the shell: a Ctrl-C cancels only the command it was typed during. */
  public void clearCancel() {
    cancelled = false;
  }

  @Override
  public synchronized void close() {
    // Jobs first: a recording takes its last frames before the module goes.
    for (AutoCloseable job : new ArrayList<>(jobs.values())) {
      try {
        job.close();
      } catch (Exception e) {
        // the session ends regardless; a job reports its own failures as it runs
      }
    }
    jobs.clear();
    if (host != null) {
      host.close();
    }
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        // closing a socket we are done with: nothing to do
      }
    }
  }
}

package bpfilterctl.cli;

import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.daemon.DaemonPaths;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the commands of one bpfilterctl process share: the module they talk to. That is the daemon
 * when one answers on the socket, else a host embedded in this process, created on first use and
 * unloaded when the process is done.
 */
public final class Session implements AutoCloseable {
  private final HostConfig config;
  private final Optional<Path> daemonSocket;
  private Optional<DaemonPaths> paths = Optional.empty();
  private boolean oneShot;
  private ModuleHost host;
  private DaemonClient client;
  private boolean daemonTried;

  private Session(HostConfig config, Optional<Path> daemonSocket) {
    this.config = config;
    this.daemonSocket = daemonSocket;
  }

  /** Always embedded, never a daemon: for tests and private modules. */
  public static Session embedded() {
    return new Session(HostConfig.defaults(UmhImage.embedded(List.of())), Optional.empty());
  }

  /** The daemon on {@code socket} when one answers there, else embedded. */
  public static Session preferringDaemon(Path socket) {
    return new Session(HostConfig.defaults(UmhImage.embedded(List.of())), Optional.of(socket));
  }

  /**
   * The daemon on {@code paths.socket()} when one answers there, else a host embedded in this
   * process that keeps its tables in {@code paths.stateDir()}.
   */
  public static Session preferringDaemon(DaemonPaths paths) {
    HostConfig c =
        HostConfig.defaults(UmhImage.embedded(List.of()))
            .withStateDir(Optional.of(paths.stateDir()));
    Session s = new Session(c, Optional.of(paths.socket()));
    s.paths = Optional.of(paths);
    return s;
  }

  /** Marks a one-shot process: a module loaded here must outlive it, so it goes to a daemon. */
  public Session oneShot(boolean isOneShot) {
    this.oneShot = isOneShot;
    return this;
  }

  /**
   * In a one-shot process with no daemon answering, starts one detached (a module embedded in a
   * process about to exit would die with it). Returns what was started, if anything.
   */
  public synchronized Optional<DaemonLauncher.Started> ensureDaemonForOneShot()
      throws IOException, InterruptedException {
    if (!oneShot || paths.isEmpty() || daemon().isPresent()) {
      return Optional.empty();
    }
    DaemonLauncher.Started d =
        DaemonLauncher.launch(paths.get().socket(), paths.get().stateDir(), List.of());
    daemonTried = false;
    return Optional.of(d);
  }

  public HostConfig config() {
    return config;
  }

  /** The module in use: the daemon's if one answers, else the embedded one. */
  public synchronized ModuleAccess module() {
    Optional<DaemonClient> d = daemon();
    return d.isPresent() ? d.get() : embeddedHost();
  }

  /** The daemon client, when a daemon answers on the socket (asked once per session). */
  public synchronized Optional<DaemonClient> daemon() {
    if (!daemonTried && daemonSocket.isPresent()) {
      daemonTried = true;
      try {
        client = DaemonClient.connect(daemonSocket.get());
      } catch (IOException | ModuleException e) {
        client = null; // nobody answers: embedded it is
      }
    }
    return Optional.ofNullable(client);
  }

  /** The host embedded in this process (also what the traffic tap and log of watch read). */
  public synchronized ModuleHost embeddedHost() {
    if (host == null) {
      host = new ModuleHost(config);
    }
    return host;
  }

  @Override
  public synchronized void close() {
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

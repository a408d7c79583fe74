package bpfilterctl.cli;

import bpfilterctl.cli.complete.ChainSource;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the commands of one bpfilterctl process share: the embedded module host, created on first
 * use and closed (its umh unloaded) when the process is done. Creating a session does nothing else:
 * the command model (help, man pages, completion scripts) is built over one without side effects.
 */
public final class Session implements AutoCloseable {
  private final Supplier<HostConfig> configSource;
  private final ChainSource chains;
  private HostConfig config;
  private ModuleHost host;
  private boolean leaving;
  private volatile boolean cancelled;

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
    this.configSource = configSource;
    this.chains = chains;
  }

  public static Session embedded() {
    return new Session(
        () -> HostConfig.defaults(UmhImage.embedded(List.of())), ChainSource.BUILTIN);
  }

  public synchronized HostConfig config() {
    if (config == null) {
      config = configSource.get();
    }
    return config;
  }

  public synchronized ModuleHost host() {
    if (host == null) {
      host = new ModuleHost(config());
    }
    return host;
  }

  /** The host if one was created, without creating it (the prompt must not start anything). */
  public synchronized Optional<ModuleHost> existingHost() {
    return Optional.ofNullable(host);
  }

  public ChainSource chains() {
    return chains;
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
    if (host != null) {
      host.close();
    }
  }
}

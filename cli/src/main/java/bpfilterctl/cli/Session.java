package bpfilterctl.cli;

import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.util.List;

/**
 * What the commands of one bpfilterctl process share: the embedded module host, created on first
 * use and closed (its umh unloaded) when the process is done.
 */
public final class Session implements AutoCloseable {
  private final HostConfig config;
  private ModuleHost host;

  public Session(HostConfig config) {
    this.config = config;
  }

  public static Session embedded() {
    return new Session(HostConfig.defaults(UmhImage.embedded(List.of())));
  }

  public HostConfig config() {
    return config;
  }

  public synchronized ModuleHost host() {
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
  }
}

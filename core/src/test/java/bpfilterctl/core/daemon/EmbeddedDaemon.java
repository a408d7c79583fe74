package bpfilterctl.core.daemon;

import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A daemon in this process on {@code DIR/d.sock}, over the embedded umh, loaded, for root only and
 * without a watchdog (nothing but the test's own frames reaches the umh): the fixture of the tests
 * that speak the daemon's frames directly.
 */
record EmbeddedDaemon(ModuleHost host, DaemonServer server, Path socket, int umhPid)
    implements AutoCloseable {

  /** Keeping no state: every umh starts from the initial tables. */
  static EmbeddedDaemon started(Path dir) throws Exception {
    return started(dir, config());
  }

  /** Committing every set to {@code DIR/state}, as a real daemon does. */
  static EmbeddedDaemon persistent(Path dir) throws Exception {
    return started(dir, config().stateDir(dir.resolve("state")));
  }

  private static HostConfig.Builder config() {
    return HostConfig.builder(UmhImage.embedded(List.of())).watchdogInterval(Duration.ZERO);
  }

  private static EmbeddedDaemon started(Path dir, HostConfig.Builder config) throws Exception {
    Path socket = Files.createDirectories(dir).resolve("d.sock");
    ModuleHost host = new ModuleHost(config.build());
    try {
      DaemonServer server =
          new DaemonServer(
              host, socket, new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()));
      try {
        server.start();
        return new EmbeddedDaemon(host, server, socket, host.load());
      } catch (Exception | Error e) {
        server.close();
        throw e;
      }
    } catch (Exception | Error e) {
      host.close();
      throw e;
    }
  }

  @Override
  public void close() throws java.io.IOException {
    try {
      server.close();
    } finally {
      host.close();
    }
  }
}

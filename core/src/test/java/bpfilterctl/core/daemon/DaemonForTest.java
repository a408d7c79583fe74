package bpfilterctl.core.daemon;

import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.TableFakeUmh;
import bpfilterctl.core.module.UmhImage;
import java.io.FileInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * A daemon in a process of its own, over the fake table umh: args socket, state dir, and optionally
 * a number of fds to hold open once it listens (so that accept meets EMFILE).
 */
public final class DaemonForTest {
  private DaemonForTest() {}

  public static void main(String[] args) throws Exception {
    UmhImage fake =
        UmhImage.javaMain(
            List.of(UmhImage.codeSourceOf(TableFakeUmh.class)),
            TableFakeUmh.class.getName(),
            List.of());
    HostConfig cfg =
        HostConfig.builder(fake).watchdogInterval(Duration.ZERO).stateDir(Path.of(args[1])).build();
    try (ModuleHost host = new ModuleHost(cfg);
        DaemonServer server =
            new DaemonServer(
                host,
                Path.of(args[0]),
                new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      List<FileInputStream> held = new ArrayList<>();
      for (int i = 0; args.length > 2 && i < Integer.parseInt(args[2]); i++) {
        held.add(new FileInputStream("/dev/null"));
      }
      System.out.println("ready " + held.size());
      System.out.flush();
      server.awaitStop();
    }
  }
}

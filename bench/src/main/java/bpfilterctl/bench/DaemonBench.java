package bpfilterctl.bench;

import bpfilterctl.core.daemon.AccessPolicy;
import bpfilterctl.core.daemon.DaemonClient;
import bpfilterctl.core.daemon.DaemonServer;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleAccess;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Ping through the daemon's socket beside the same ping in process; and the cost persistence adds
 * to a SET_REPLACE of a big blob (with a state dir against without). The umh is the skeleton for
 * pings; for commits a umh that accepts any blob (the persistence cost is what is measured, not
 * validation). Prints "name value" lines for bench/daemon.sh.
 */
public final class DaemonBench {
  private DaemonBench() {}

  public static void main(String[] args) throws Exception {
    int pings = Integer.parseInt(args.length > 0 ? args[0] : "100000");
    int entries = Integer.parseInt(args.length > 1 ? args[1] : "50000");
    Path dir = Files.createTempDirectory("bpf-bench");
    HostConfig cfg =
        HostConfig.builder(UmhImage.embedded(List.of("--engine", "skeleton")))
            .watchdogInterval(Duration.ZERO)
            .build();
    try (ModuleHost host = new ModuleHost(cfg);
        DaemonServer server =
            new DaemonServer(
                host,
                dir.resolve("d.sock"),
                new AccessPolicy(0, OptionalInt.empty(), OptionalInt.empty()))) {
      server.start();
      host.load();
      try (DaemonClient client = DaemonClient.connect(dir.resolve("d.sock"))) {
        long[] inProcess = pings(host, pings);
        long[] socket = pings(client, pings);
        print("ping_in_process_p50_us", inProcess[pings / 2] / 1e3);
        print("ping_socket_p50_us", socket[pings / 2] / 1e3);
        print("ping_socket_p99_us", socket[(int) (pings * 0.99)] / 1e3);
      }
    }
    byte[] blob = acceptedBlob(entries);
    print("commit_plain_ms", commitMillis(blob, null));
    print("commit_persisted_ms", commitMillis(blob, dir.resolve("state")));
    print("blob_mib", blob.length / 1048576.0);
  }

  private static long[] pings(ModuleAccess m, int n) throws Exception {
    for (int i = 0; i < 20_000; i++) {
      m.ping();
    }
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      m.ping();
      t[i] = System.nanoTime() - t0;
    }
    Arrays.sort(t);
    return t;
  }

  /** A replace blob of {@code entries} 200-byte entries (the size of a typical rule). */
  private static byte[] acceptedBlob(int entries) {
    ByteBuffer b = ByteBuffer.allocate(96 + 200 * entries).order(ByteOrder.LITTLE_ENDIAN);
    b.put("filter".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putInt(36, entries).putInt(40, 200 * entries);
    return b.array();
  }

  /** Median of 5 SET_REPLACEs through a host whose umh accepts anything (-ENOPROTOOPT aside). */
  private static double commitMillis(byte[] blob, Path stateDir) throws Exception {
    HostConfig.Builder b =
        HostConfig.builder(
                UmhImage.javaMain(
                    List.of(UmhImage.codeSourceOf(AcceptingUmh.class)),
                    AcceptingUmh.class.getName(),
                    List.of()))
            .watchdogInterval(Duration.ZERO)
            .requestTimeout(Duration.ofSeconds(30));
    if (stateDir != null) {
      b.stateDir(stateDir);
    }
    long[] t = new long[5];
    try (ModuleHost host = new ModuleHost(b.build())) {
      host.load();
      for (int i = 0; i < t.length; i++) {
        long t0 = System.nanoTime();
        if (host.call(new MboxRequest(0, true, 64, 1, blob)).isError()) {
          throw new IllegalStateException("commit refused");
        }
        t[i] = System.nanoTime() - t0;
      }
    }
    Arrays.sort(t);
    return t[2] / 1e6;
  }

  private static void print(String name, double v) {
    System.out.printf("%s %.1f%n", name, v);
  }
}

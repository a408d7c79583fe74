package bpfilterctl.bench;

import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleException;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the module host: load-to-healthy beside a bare JVM answering one request, ping round
 * trips, and ping throughput from 1 and 4 threads. Prints one "name value" line per figure for
 * bench/module-host.sh to put beside its baselines.
 */
public final class HostBench {
  private HostBench() {}

  public static void main(String[] args) throws Exception {
    int loads = Integer.parseInt(args.length > 0 ? args[0] : "20");
    int pings = Integer.parseInt(args.length > 1 ? args[1] : "200000");
    UmhImage image = UmhImage.embedded(List.of("--engine", "skeleton"));
    HostConfig cfg = HostConfig.builder(image).watchdogInterval(Duration.ZERO).build();

    long[] bare = new long[loads];
    long[] ours = new long[loads];
    for (int i = 0; i < loads; i++) {
      bare[i] = bareJvmFirstReply(image);
      try (ModuleHost host = new ModuleHost(cfg)) {
        long t0 = System.nanoTime();
        host.load();
        ours[i] = System.nanoTime() - t0;
      }
    }
    print("load_bare_jvm_ms_median", median(bare) / 1e6);
    print("load_host_ms_median", median(ours) / 1e6);

    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      for (int i = 0; i < 20_000; i++) {
        host.ping();
      }
      long[] rtt = new long[pings];
      for (int i = 0; i < pings; i++) {
        long t0 = System.nanoTime();
        host.ping();
        rtt[i] = System.nanoTime() - t0;
      }
      Arrays.sort(rtt);
      print("ping_p50_us", rtt[pings / 2] / 1e3);
      print("ping_p99_us", rtt[(int) (pings * 0.99)] / 1e3);
      print("ping_rate_1_thread", rate(host, 1, pings));
      print("ping_rate_4_threads", rate(host, 4, pings));
    }
  }

  /** A bare JVM main answering one request: the floor under load-to-healthy. */
  private static long bareJvmFirstReply(UmhImage image) throws IOException, InterruptedException {
    long t0 = System.nanoTime();
    Process p =
        new ProcessBuilder(image.command()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    OutputStream out = p.getOutputStream();
    out.write(MboxRequest.handshake(1).encode());
    out.flush();
    new DataInputStream(p.getInputStream()).readFully(new byte[MboxReply.HEADER_BYTES]);
    long took = System.nanoTime() - t0;
    out.close();
    p.waitFor();
    return took;
  }

  private static double rate(ModuleHost host, int threads, int total) throws InterruptedException {
    AtomicLong failures = new AtomicLong();
    List<Thread> ts = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < threads; t++) {
      Thread th =
          new Thread(
              () -> {
                for (int i = 0; i < total / threads; i++) {
                  try {
                    host.ping();
                  } catch (ModuleException e) {
                    failures.incrementAndGet();
                  }
                }
              });
      th.start();
      ts.add(th);
    }
    for (Thread th : ts) {
      th.join();
    }
    if (failures.get() > 0) {
      throw new IllegalStateException(failures.get() + " pings failed");
    }
    return (total / threads * threads) / ((System.nanoTime() - t0) / 1e9);
  }

  private static long median(long[] xs) {
    long[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static void print(String name, double v) {
    System.out.printf("%s %.1f%n", name, v);
  }
}

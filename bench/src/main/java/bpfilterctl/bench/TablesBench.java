package bpfilterctl.bench;

import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import bpfilterctl.core.umh.tables.TableEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * SET_REPLACE and GET_ENTRIES of one recorded filter blob: in the engine alone (in process) and end
 * to end through the module host and its umh; and the umh's RSS holding it. Prints "name value"
 * lines for bench/tables.sh.
 */
public final class TablesBench {
  private TablesBench() {}

  public static void main(String[] args) throws Exception {
    byte[] blob = Files.readAllBytes(Path.of(args[0]));
    int rounds = Integer.parseInt(args.length > 1 ? args[1] : "5");
    int entries = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(36);
    int size = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN).getInt(40);

    long[] engine = new long[rounds];
    long[] engineGet = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      TableEngine e = new TableEngine(ExtensionRegistry.kernel());
      byte[] b = withNumCounters(blob, entriesOf(e.handle(getInfo()).payload()));
      long t0 = System.nanoTime();
      MboxReply rep = e.handle(new MboxRequest(0, true, Sockopt.IPT_SO_SET_REPLACE.cmd(), 1, b));
      engine[r] = System.nanoTime() - t0;
      check(rep, "engine SET_REPLACE");
      t0 = System.nanoTime();
      check(e.handle(getEntries(size)), "engine GET_ENTRIES");
      engineGet[r] = System.nanoTime() - t0;
    }
    print("engine_replace_ms", median(engine) / 1e6);
    print("engine_get_entries_ms", median(engineGet) / 1e6);

    HostConfig cfg =
        HostConfig.builder(UmhImage.embedded(List.of()))
            .watchdogInterval(Duration.ZERO)
            .requestTimeout(Duration.ofSeconds(30))
            .build();
    long[] host = new long[rounds];
    long[] hostGet = new long[rounds];
    long rss = 0;
    try (ModuleHost h = new ModuleHost(cfg)) {
      h.load();
      for (int r = 0; r < rounds; r++) {
        byte[] b = withNumCounters(blob, entriesOf(h.call(getInfo()).payload()));
        long t0 = System.nanoTime();
        check(
            h.call(new MboxRequest(0, true, Sockopt.IPT_SO_SET_REPLACE.cmd(), 1, b)),
            "host SET_REPLACE");
        host[r] = System.nanoTime() - t0;
        t0 = System.nanoTime();
        check(h.call(getEntries(size)), "host GET_ENTRIES");
        hostGet[r] = System.nanoTime() - t0;
      }
      rss = h.status().rssBytes();
    }
    print("host_replace_ms", median(host) / 1e6);
    print("host_get_entries_ms", median(hostGet) / 1e6);
    print("umh_rss_mib", rss / 1048576.0);
    print("entries", entries);
  }

  private static MboxRequest getInfo() {
    byte[] b = new byte[84];
    System.arraycopy("filter".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, b, 0, 6);
    return new MboxRequest(0, false, Sockopt.IPT_SO_GET_INFO.cmd(), 1, b);
  }

  private static MboxRequest getEntries(int size) {
    ByteBuffer b = ByteBuffer.allocate(40 + size).order(ByteOrder.LITTLE_ENDIAN);
    b.put("filter".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    b.putInt(32, size);
    return new MboxRequest(0, false, Sockopt.IPT_SO_GET_ENTRIES.cmd(), 1, b.array());
  }

  private static int entriesOf(byte[] info) {
    return ByteBuffer.wrap(info).order(ByteOrder.LITTLE_ENDIAN).getInt(76);
  }

  private static byte[] withNumCounters(byte[] blob, int n) {
    byte[] b = Arrays.copyOf(blob, blob.length);
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(84, n);
    return b;
  }

  private static void check(MboxReply r, String what) {
    if (r.isError()) {
      throw new IllegalStateException(what + " failed: " + r.describeStatus());
    }
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

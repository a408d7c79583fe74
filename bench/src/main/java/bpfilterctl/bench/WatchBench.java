package bpfilterctl.bench;

import bpfilterctl.cli.watch.WatchUi;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.module.Frame;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import bpfilterctl.core.traffic.HostFeed;
import bpfilterctl.core.traffic.StructuralEntryRenderer;
import com.googlecode.lanterna.SGR;
import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * The watch TUI under load, on lanterna's virtual terminal (drawing and diffing as on a real one):
 *
 * <ul>
 *   <li>the request path: pings per second with no subscriber and with watch subscribed,
 *       alternating rounds, medians;
 *   <li>100,000 frames/s published into the tap: redraws per second and how long a key takes to
 *       show on the screen, beside the same key on an idle watch; frames dropped.
 * </ul>
 *
 * Prints one "name value" line per figure for bench/watch.sh.
 */
public final class WatchBench {
  private WatchBench() {}

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(args.length > 0 ? args[0] : "5");
    int pings = Integer.parseInt(args.length > 1 ? args[1] : "100000");
    int seconds = Integer.parseInt(args.length > 2 ? args[2] : "10");
    UmhImage image = UmhImage.embedded(List.of("--engine", "skeleton"));
    HostConfig cfg = HostConfig.builder(image).watchdogInterval(Duration.ZERO).build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      pingRate(host, 20_000); // warm up
      double[] bare = new double[rounds];
      double[] watched = new double[rounds];
      long watchDrops = 0;
      for (int r = 0; r < rounds; r++) {
        bare[r] = pingRate(host, pings);
        try (Watch w = new Watch(host)) {
          watched[r] = pingRate(host, pings);
          watchDrops += w.feed.drops();
        }
      }
      print("ping_rate_no_subscriber", median(bare));
      print("ping_rate_watch_subscribed", median(watched));
      print("ping_watch_dropped", watchDrops);

      Result idle = underLoad(host, 0, seconds);
      Result loaded = underLoad(host, 100_000, seconds);
      print("idle_key_to_screen_p50_ms", idle.keyP50);
      print("idle_key_to_screen_max_ms", idle.keyMax);
      print("load_frames_per_s", loaded.framesPerSecond);
      print("load_redraws_per_s", loaded.redrawsPerSecond);
      print("load_key_to_screen_p50_ms", loaded.keyP50);
      print("load_key_to_screen_p99_ms", loaded.keyP99);
      print("load_key_to_screen_max_ms", loaded.keyMax);
      print("load_dropped", loaded.dropped);
    }
  }

  /** Watch on a virtual terminal over the host's tap, its loop on a thread of its own. */
  private static final class Watch implements AutoCloseable {
    final DefaultVirtualTerminal vt = new DefaultVirtualTerminal(new TerminalSize(120, 40));
    final HostFeed feed;
    final WatchUi ui;
    final Thread loop;

    Watch(ModuleHost host) throws Exception {
      feed = new HostFeed(host, 1 << 16, 1000);
      ui =
          new WatchUi(
              new TerminalScreen(vt),
              feed,
              new StructuralEntryRenderer(),
              true,
              (reader, line, candidates) -> {},
              (words, out, err) -> 0,
              () -> {},
              () -> false,
              ZoneOffset.UTC);
      loop =
          new Thread(
              () -> {
                try {
                  ui.run();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              },
              "watch-bench-ui");
      loop.start();
    }

    @Override
    public void close() {
      vt.addInput(new KeyStroke('q', false, false));
      try {
        loop.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ui.close();
      feed.close();
    }
  }

  private record Result(
      double framesPerSecond,
      double redrawsPerSecond,
      double keyP50,
      double keyP99,
      double keyMax,
      long dropped) {}

  /**
   * Publishes {@code rate} frames/s (0: none) into the tap for {@code seconds} while a key (Tab)
   * goes to watch every 100 ms; each key's time is from sending it to the screen showing the next
   * pane's title reversed.
   */
  private static Result underLoad(ModuleHost host, int rate, int seconds) throws Exception {
    AtomicBoolean run = new AtomicBoolean(true);
    long[] published = new long[1];
    Thread publisher =
        new Thread(
            () -> {
              MboxRequest req = MboxRequest.handshake(1);
              byte[] none = new byte[0];
              long t0 = System.nanoTime();
              long sent = 0;
              while (run.get()) {
                long due = (System.nanoTime() - t0) * rate / 1_000_000_000L;
                while (sent < due) {
                  host.tap()
                      .publish(
                          sent % 2 == 0 ? Frame.Direction.REQUEST : Frame.Direction.REPLY,
                          req,
                          "",
                          1,
                          0,
                          none,
                          sent % 2 == 0 ? 0 : 20_000);
                  sent++;
                }
                LockSupport.parkNanos(200_000);
              }
              published[0] = sent;
            },
            "watch-bench-publisher");
    try (Watch w = new Watch(host)) {
      Thread.sleep(500);
      long draws0 = w.ui.draws();
      long drops0 = w.feed.drops();
      long t0 = System.nanoTime();
      if (rate > 0) {
        publisher.start();
      }
      List<Long> keys = new ArrayList<>();
      // The panes' title rows at 120x40: traffic row 1, detail/log row 20, command row 38.
      int[][] titles = {{3, 20}, {80, 20}, {-1, 38}, {3, 1}};
      int pane = 0;
      while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(seconds)) {
        long k0 = System.nanoTime();
        w.vt.addInput(new KeyStroke(KeyType.Tab));
        int[] at = titles[pane % titles.length];
        pane++;
        if (at[0] < 0) {
          // The command line has no title: its line turns bold.
          awaitModifier(w.vt, 0, at[1], SGR.BOLD);
          keys.add(System.nanoTime() - k0);
          w.vt.addInput(new KeyStroke(KeyType.Escape)); // back to the traffic pane
          awaitModifier(w.vt, 3, 1, SGR.REVERSE);
          pane = 0;
        } else {
          awaitModifier(w.vt, at[0], at[1], SGR.REVERSE);
          keys.add(System.nanoTime() - k0);
        }
        Thread.sleep(100);
      }
      run.set(false);
      if (rate > 0) {
        publisher.join();
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long[] k = keys.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Result(
          published[0] / secs,
          (w.ui.draws() - draws0) / secs,
          k[k.length / 2] / 1e6,
          k[(int) Math.min(k.length - 1, Math.ceil(k.length * 0.99) - 1)] / 1e6,
          k[k.length - 1] / 1e6,
          w.feed.drops() - drops0);
    }
  }

  private static void awaitModifier(DefaultVirtualTerminal vt, int col, int row, SGR sgr)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!vt.getCharacter(col, row).getModifiers().contains(sgr)) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("the key never showed at " + col + "," + row);
      }
      LockSupport.parkNanos(100_000);
    }
  }

  private static double pingRate(ModuleHost host, int n) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      host.ping();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  private static void print(String name, double v) {
    System.out.printf("%s %.2f%n", name, v);
  }
}

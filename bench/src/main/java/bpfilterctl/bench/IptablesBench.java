package bpfilterctl.bench;

import bpfilterctl.core.iptables.Iptables;
import bpfilterctl.core.iptables.IptablesRestore;
import bpfilterctl.core.iptables.IptablesSave;
import bpfilterctl.core.iptables.ModuleSockopts;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.module.HostConfig;
import bpfilterctl.core.module.ModuleHost;
import bpfilterctl.core.module.UmhImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.List;

/**
 * The iptables front-end, warm, as a running shell or daemon runs it: iptables-restore of a file,
 * iptables-save of the result, and one "iptables -A" into it, each through the module host, the
 * pipes and the umh. Prints "name median_ms" lines. Usage: IptablesBench RULES_FILE ROUNDS
 */
public final class IptablesBench {
  private IptablesBench() {}

  public static void main(String[] args) throws Exception {
    String rules = Files.readString(Path.of(args[0]));
    int rounds = Integer.parseInt(args[1]);
    HostConfig cfg =
        HostConfig.builder(UmhImage.embedded(List.of()))
            .watchdogInterval(Duration.ZERO)
            .requestTimeout(Duration.ofSeconds(60))
            .build();
    long[] restore = new long[rounds];
    long[] save = new long[rounds];
    long[] append = new long[rounds];
    try (ModuleHost h = new ModuleHost(cfg)) {
      h.load();
      Iptables iptables =
          new Iptables(ModuleSockopts.of(h), XtExtensions.standard(), Lookups.system());
      IptablesRestore.Options o = IptablesRestore.options(List.of());
      // unmeasured rounds first: "warm" is how a shell or daemon that has been running a
      // while does it, with both JVMs' hot code compiled
      int warmup = Integer.parseInt(System.getProperty("warmup", "5"));
      for (int r = -warmup; r < rounds; r++) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        long t0 = System.nanoTime();
        check(new IptablesRestore(iptables).run(o, rules, out, err), err, "restore");
        long t1 = System.nanoTime();
        out.setLength(0);
        check(new IptablesSave(iptables, ZonedDateTime::now).run(List.of(), out, err), err, "save");
        long t2 = System.nanoTime();
        check(
            iptables.run(
                List.of(
                    "-A",
                    "INPUT",
                    "-s",
                    "192.0.2.7",
                    "-p",
                    "tcp",
                    "--dport",
                    "8443",
                    "-j",
                    "ACCEPT"),
                new StringBuilder(),
                err),
            err,
            "append");
        long t3 = System.nanoTime();
        if (r >= 0) {
          restore[r] = t1 - t0;
          save[r] = t2 - t1;
          append[r] = t3 - t2;
        }
      }
    }
    print("restore_ms", restore);
    print("save_ms", save);
    print("append_ms", append);
  }

  private static void check(int status, StringBuilder err, String what) {
    if (status != 0) {
      throw new IllegalStateException(what + " failed (" + status + "): " + err);
    }
  }

  private static void print(String name, long[] ns) {
    long[] s = ns.clone();
    Arrays.sort(s);
    System.out.printf("%s %.1f%n", name, s[s.length / 2] / 1e6);
  }
}

package bpfilterctl.core.iptables;

import static org.assertj.core.api.Assertions.assertThat;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.iptables.ext.Lookups;
import bpfilterctl.core.iptables.ext.XtExtensions;
import bpfilterctl.core.kernel.ExtensionRegistry;
import bpfilterctl.core.umh.tables.TableEngine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random iptables command sequences ({@link DifferentialCommands}) run through
 * iptables-legacy against the real kernel, each sequence in a fresh network namespace, and through
 * our front-end against a fresh table engine: every command's stdout, stderr and exit status, and
 * at the end iptables-save -c of each table, must agree. A failure names the seed and the first
 * command that differs; replay one with -Ddifferential.seed=N.
 */
class DifferentialTest {
  /** Sequences in the normal build; the soak variant (-Psoak) runs the first soakSeeds. */
  private static final int SEEDS = Integer.getInteger("differential.seeds", 10);

  private static final int SOAK_SEEDS = Integer.getInteger("differential.soakSeeds", 100);
  private static final int COMMANDS = Integer.getInteger("differential.commands", 40);
  private static final List<String> TABLES = List.of("filter", "nat", "mangle", "raw");

  /** What one command printed and returned. */
  record Result(String out, String err, int status) {
    String show() {
      return "status "
          + status
          + "\n  stdout: "
          + out.replace("\n", "\n          ")
          + "\n  stderr: "
          + err.replace("\n", "\n          ");
    }
  }

  @Test
  void ourFrontEndAnswersAsIptablesLegacyOnTheKernel() throws Exception {
    compare(SEEDS);
  }

  @Test
  @Tag("soak")
  @Timeout(3600)
  void aHundredSequencesAnswerAsIptablesLegacyOnTheKernel() throws Exception {
    compare(SOAK_SEEDS);
  }

  private void compare(int count) throws Exception {
    String why = kernelUnavailable();
    Require.nothingMissing(why);
    long start = System.nanoTime();
    Long only = Long.getLong("differential.seed");
    List<Long> seeds = new ArrayList<>();
    for (long s = 1; s <= count; s++) {
      seeds.add(s);
    }
    if (only != null) {
      seeds = List.of(only);
    }
    List<String> failures = new ArrayList<>();
    int commands = 0;
    int agreed = 0;
    int refused = 0;
    int printed = 0;
    for (long seed : seeds) {
      List<List<String>> seq = new DifferentialCommands(seed).sequence(COMMANDS);
      Path dir = Files.createTempDirectory("bpfilterctl-diff");
      try {
        Kernel kernel = kernel(seq, dir);
        Ours ours = ours(seq);
        commands += seq.size();
        String first = null;
        for (int i = 0; i < seq.size(); i++) {
          Result k = kernel.results.get(i);
          refused += k.status() != 0 ? 1 : 0;
          printed += k.out().isEmpty() ? 0 : 1;
          if (Boolean.getBoolean("differential.verbose")) {
            System.out.println(
                seed + "/" + (i + 1) + " " + String.join(" ", seq.get(i)) + "\n " + k.show());
          }
          if (k.equals(ours.results.get(i))) {
            agreed++;
          } else if (first == null) {
            first =
                "seed "
                    + seed
                    + " command "
                    + (i + 1)
                    + ": iptables "
                    + String.join(" ", quoted(seq.get(i)))
                    + "\n want "
                    + kernel.results.get(i).show()
                    + "\n got  "
                    + ours.results.get(i).show();
          }
        }
        if (first == null && !kernel.save.equals(ours.save)) {
          first = "seed " + seed + " final save\n want\n" + kernel.save + " got\n" + ours.save;
        }
        if (first != null) {
          failures.add(first);
        }
      } finally {
        try (Stream<Path> files = Files.list(dir)) {
          for (Path p : files.toList()) {
            Files.delete(p);
          }
        }
        Files.delete(dir);
      }
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    System.out.printf(
        "differential: %d sequences x %d commands (%d refused by the kernel, %d printed on"
            + " stdout), %d/%d sequences agree, %d/%d commands agree, %d ms%n",
        seeds.size(),
        COMMANDS,
        refused,
        printed,
        seeds.size() - failures.size(),
        seeds.size(),
        agreed,
        commands,
        ms);
    failures.forEach(f -> System.out.println("DIFFERS " + f));
    assertThat(failures).as("sequences that differ (replay: -Ddifferential.seed=N)").isEmpty();
  }

  /** Why the kernel cannot be asked here, or null. */
  private static String kernelUnavailable() throws InterruptedException {
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      id.waitFor();
      if (!uid.equals("0")) {
        return "not root (uid " + uid + "): unshare -n needs it";
      }
      Process p =
          new ProcessBuilder("unshare", "-n", "iptables-legacy", "-S")
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        return "unshare -n iptables-legacy -S failed: " + out.strip();
      }
      return null;
    } catch (IOException e) {
      return "cannot run unshare or iptables-legacy: " + e.getMessage();
    }
  }

  /** The kernel's answers: one bash in one fresh network namespace for the whole sequence. */
  record Kernel(List<Result> results, String save) {}

  private static Kernel kernel(List<List<String>> seq, Path dir)
      throws IOException, InterruptedException {
    StringBuilder script = new StringBuilder();
    for (int i = 0; i < seq.size(); i++) {
      script
          .append("iptables-legacy ")
          .append(String.join(" ", quoted(seq.get(i))))
          .append(" >")
          .append(dir.resolve("o" + i))
          .append(" 2>")
          .append(dir.resolve("e" + i))
          .append("; echo $? >")
          .append(dir.resolve("r" + i))
          .append('\n');
    }
    for (String t : TABLES) {
      script
          .append("iptables-legacy-save -c -t ")
          .append(t)
          .append(" >")
          .append(dir.resolve("s-" + t))
          .append(" 2>&1\n");
    }
    Path sh = dir.resolve("seq.sh");
    Files.writeString(sh, script);
    // a private /run keeps the xtables lock of other iptables users on this machine out of ours
    Process p =
        new ProcessBuilder(
                "unshare", "-n", "-m", "bash", "-c", "mount -t tmpfs none /run; exec bash " + sh)
            .redirectErrorStream(true)
            .start();
    String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("the sequence's bash: %s", log).isZero();
    List<Result> results = new ArrayList<>();
    for (int i = 0; i < seq.size(); i++) {
      results.add(
          new Result(
              Files.readString(dir.resolve("o" + i)),
              Files.readString(dir.resolve("e" + i)),
              Integer.parseInt(Files.readString(dir.resolve("r" + i)).trim())));
    }
    StringBuilder save = new StringBuilder();
    for (String t : TABLES) {
      save.append(undated(Files.readString(dir.resolve("s-" + t))));
    }
    return new Kernel(results, save.toString());
  }

  /** Our answers: the same commands through Iptables over a fresh table engine. */
  record Ours(List<Result> results, String save) {}

  private static Ours ours(List<List<String>> seq) throws Exception {
    TableEngine engine = new TableEngine(ExtensionRegistry.kernel());
    Iptables iptables =
        new Iptables(
            ModuleSockopts.direct(engine::handle), XtExtensions.standard(), Lookups.system());
    List<Result> results = new ArrayList<>();
    for (List<String> argv : seq) {
      StringBuilder out = new StringBuilder();
      StringBuilder err = new StringBuilder();
      int status = iptables.run(argv, out, err);
      results.add(new Result(out.toString(), err.toString(), status));
    }
    StringBuilder save = new StringBuilder();
    for (String t : TABLES) {
      StringBuilder out = new StringBuilder();
      new IptablesSave(iptables, ZonedDateTime::now).run(List.of("-c", "-t", t), out, out);
      save.append(undated(out.toString()));
    }
    return new Ours(results, save.toString());
  }

  private static List<String> quoted(List<String> argv) {
    return argv.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList();
  }

  private static String undated(String save) {
    return save.lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l + "\n")
        .collect(Collectors.joining());
  }
}

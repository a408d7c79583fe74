package bpfilterctl.core.iptables;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The oracle: iptables-legacy 1.8.9 on the real kernel, run by bash inside a fresh network and
 * mount namespace whose /run is a private tmpfs (so the machine's own tables and xtables lock are
 * never touched).
 */
final class LegacyKernel {
  private LegacyKernel() {}

  /** What a script printed and returned. */
  record Outcome(String out, String err, int status) {}

  /** Why the kernel cannot be asked here, or null when it can. */
  static String unavailable() {
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      id.waitFor();
      if (!uid.equals("0")) {
        return "not root (uid " + uid + "): unshare -n needs it";
      }
      Outcome o = run("iptables-legacy -S", "");
      if (o.status() != 0) {
        return "unshare -n iptables-legacy -S failed: " + (o.out() + o.err()).strip();
      }
      return null;
    } catch (IOException e) {
      return "cannot run unshare or iptables-legacy: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Runs {@code script} (bash) in a fresh namespace with {@code stdin}. */
  static Outcome run(String script, String stdin) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("bpfilterctl-legacy");
    try {
      Path sh = dir.resolve("run.sh");
      Path out = dir.resolve("out");
      Path err = dir.resolve("err");
      Files.writeString(sh, script);
      Process p =
          new ProcessBuilder(
                  List.of(
                      "unshare",
                      "-n",
                      "-m",
                      "bash",
                      "-c",
                      "mount -t tmpfs none /run && exec bash " + sh))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.ISO_8859_1));
      p.getOutputStream().close();
      int status = p.waitFor();
      return new Outcome(
          Files.readString(out, StandardCharsets.ISO_8859_1),
          Files.readString(err, StandardCharsets.ISO_8859_1),
          status);
    } finally {
      try (var files = Files.list(dir)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(dir);
    }
  }
}
